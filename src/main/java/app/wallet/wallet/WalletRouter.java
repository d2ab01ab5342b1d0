package app.wallet.wallet;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import app.wallet.web.Problems;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/** Routes of the wallet itself: reading it and crediting it, alone or in batches. */
@Configuration(proxyBeanMethods = false)
class WalletRouter {

    @Bean
    RouterFunction<ServerResponse> walletRoutes(WalletHandler handler, CreditBatchHandler batch, Problems problems) {
        return route()
                .POST("/api/v1/credits:batch", batch::credit)
                .path("/api/v1/wallets", wallets -> wallets
                        .GET("/{userId}", handler::get)
                        .POST("/{userId}/credits", handler::credit))
                .filter(problems.asFilter())
                .build();
    }
}
