package app.wallet.withdrawal;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import app.wallet.web.Problems;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/** Routes of a wallet's withdrawals and withdrawal policy, and the operator queue of all wallets' withdrawals. */
@Configuration(proxyBeanMethods = false)
class WithdrawalRouter {

    @Bean
    RouterFunction<ServerResponse> withdrawalRoutes(WithdrawalHandler handler, QueueHandler queue, Problems problems) {
        return route()
                .GET("/api/v1/withdrawals", queue::page)
                .GET("/api/v1/wallets/{userId}/policy", handler::policy)
                .PUT("/api/v1/wallets/{userId}/policy", handler::setPolicy)
                .path("/api/v1/wallets/{userId}/withdrawals", withdrawals -> withdrawals
                        .POST("/{withdrawalId}/approve", handler::approve)
                        .POST("/{withdrawalId}/reject", handler::reject)
                        .GET("/{withdrawalId}", handler::get)
                        .POST("", handler::request)
                        .GET("", handler::list))
                .filter(problems.asFilter())
                .build();
    }
}
