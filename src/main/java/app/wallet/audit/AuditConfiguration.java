package app.wallet.audit;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

import app.wallet.config.PeriodicTask;
import app.wallet.config.WalletProperties;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/** When the audit runs: every {@code wallet.audit.interval}, and on demand. */
@Configuration(proxyBeanMethods = false)
class AuditConfiguration {

    /** The on-demand audit, for operators (keep it behind the gateway's operator access). */
    @Bean
    RouterFunction<ServerResponse> auditRoutes(ConsistencyAuditor auditor) {
        return route()
                .POST("/api/v1/admin/audit", request -> auditor.audit()
                        .flatMap(report -> ServerResponse.ok().bodyValue(report)))
                .build();
    }

    /** Never two passes at once. */
    @Bean
    PeriodicTask auditSchedule(ConsistencyAuditor auditor, WalletProperties properties) {
        return new PeriodicTask("Audit pass", properties.audit().enabled() ? properties.audit().interval() : null) {
            @Override
            protected Mono<?> runPass() {
                return auditor.audit();
            }
        };
    }
}
