package app.wallet.audit;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;


import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/** The on-demand audit, for operators (keep it behind the gateway's operator access). */
@Configuration(proxyBeanMethods = false)
class AuditRouter {

    @Bean
    RouterFunction<ServerResponse> auditRoutes(ConsistencyAuditor auditor) {
        return route()
                .POST("/api/v1/admin/audit", request -> auditor.audit()
                        .flatMap(report -> ServerResponse.ok().bodyValue(report)))
                .build();
    }
}
