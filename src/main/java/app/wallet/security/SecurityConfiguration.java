package app.wallet.security;

import java.time.Clock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedHandler;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import app.wallet.config.WalletProperties;
import app.wallet.stream.StreamTickets;
import app.wallet.web.ApiException;
import app.wallet.web.Problems;

import static app.wallet.security.Access.anyOf;
import static app.wallet.security.Access.ownerWithOrAnyOf;
import static app.wallet.security.Scopes.CREDIT;
import static app.wallet.security.Scopes.METRICS;
import static app.wallet.security.Scopes.OPERATE;
import static app.wallet.security.Scopes.READ;
import static app.wallet.security.Scopes.READ_ANY;
import static app.wallet.security.Scopes.WITHDRAW;

/**
 * Every route's rule, in one place. Bearer tokens only: no session, no cookie, no login page, so no
 * CSRF to guard against. The JWT decoder is Spring Boot's, from
 * {@code spring.security.oauth2.resourceserver.jwt.*}.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    static final String NO_JWT_CONFIGURATION = "No JWT configuration: set spring.security.oauth2.resourceserver.jwt."
            + "issuer-uri, jwk-set-uri or public-key-location (or, never in production, wallet.security.enabled=false "
            + "to serve every request without authentication)";

    private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);
    private static final String WALLET = "/api/v1/wallets/{userId}";

    /**
     * No observation (timer and span) around every security filter, authentication and authorization:
     * nobody reads them, and they cost each request more than checking its token. Requests stay timed
     * by the HTTP server's own metrics.
     */
    @Bean
    SecurityObservationSettings securityObservations() {
        return SecurityObservationSettings.noObservations();
    }

    /**
     * Spring Security's firewall refuses paths and headers with encodings that could be read two ways
     * ({@code %25}, {@code %2F}, control characters, ...); its refusal is a problem like any other.
     */
    @Bean
    ServerExchangeRejectedHandler rejectedAsProblem(Problems problems) {
        return (exchange, rejected) -> problems.write(exchange.getResponse(), ApiException.invalid("request",
                "its path, method or headers hold characters or encodings the service does not take"));
    }

    private static final ServerWebExchangeMatcher STREAM = ServerWebExchangeMatchers.pathMatchers(HttpMethod.GET, WALLET + "/stream");

    /** A stream request that brings a ticket and no {@code Authorization} header. */
    private static Mono<ServerWebExchangeMatcher.MatchResult> ticketedStream(ServerWebExchange exchange) {
        ServerHttpRequest request = exchange.getRequest();
        if (!request.getQueryParams().containsKey(StreamTickets.PARAMETER)
                || request.getHeaders().containsHeader(HttpHeaders.AUTHORIZATION)) {
            return ServerWebExchangeMatcher.MatchResult.notMatch();
        }
        return STREAM.matches(exchange);
    }

    @Bean
    SecurityWebFilterChain walletSecurity(ServerHttpSecurity http, WalletProperties properties,
            ObjectProvider<ReactiveJwtDecoder> decoders, Problems problems, Clock clock) {
        http.csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .requestCache(cache -> cache.requestCache(NoOpServerRequestCache.getInstance()))
                .securityContextRepository(NoOpServerSecurityContextRepository.getInstance());
        if (!properties.security().enabled()) {
            log.warn("wallet.security.enabled=false: every request is served WITHOUT AUTHENTICATION. Anyone who reaches "
                    + "this port can move money. Never run this way in production.");
            return http.authorizeExchange(exchanges -> exchanges.anyExchange().permitAll()).build();
        }
        ReactiveJwtDecoder decoder = decoders.getIfAvailable();
        if (decoder == null) {
            throw new IllegalStateException(NO_JWT_CONFIGURATION);
        }
        return http
                .authorizeExchange(exchanges -> exchanges
                        // Probes stay open, without details (management.endpoint.health.group.*.show-details).
                        .pathMatchers(HttpMethod.GET, "/actuator/health/liveness", "/actuator/health/readiness").permitAll()
                        .pathMatchers("/actuator", "/actuator/**").access(anyOf(OPERATE, METRICS))
                        // A browser's stream: no token, a ticket, which the stream's route takes (StreamTickets).
                        .matchers(SecurityConfiguration::ticketedStream).permitAll()
                        .pathMatchers(HttpMethod.GET, WALLET, WALLET + "/stream").access(ownerWithOrAnyOf(READ, OPERATE, READ_ANY))
                        .pathMatchers(HttpMethod.POST, WALLET + "/stream-tickets").access(ownerWithOrAnyOf(READ, OPERATE, READ_ANY))
                        .pathMatchers(HttpMethod.GET, WALLET + "/transactions/verify").access(anyOf(OPERATE))
                        .pathMatchers(WALLET + "/policy").access(anyOf(OPERATE))
                        .pathMatchers(WALLET + "/alerts", WALLET + "/alerts/{alertId}").access(ownerWithOrAnyOf(READ, OPERATE))
                        .pathMatchers(HttpMethod.GET, WALLET + "/withdrawals", WALLET + "/withdrawals/{withdrawalId}",
                                WALLET + "/transactions").access(ownerWithOrAnyOf(READ, OPERATE))
                        .pathMatchers(HttpMethod.POST, WALLET + "/credits", "/api/v1/credits:batch").access(anyOf(CREDIT))
                        .pathMatchers(HttpMethod.POST, WALLET + "/withdrawals").access(ownerWithOrAnyOf(WITHDRAW))
                        .pathMatchers(HttpMethod.POST, WALLET + "/withdrawals/{withdrawalId}/approve",
                                WALLET + "/withdrawals/{withdrawalId}/reject").access(anyOf(OPERATE))
                        .pathMatchers(HttpMethod.POST, "/api/v1/admin/audit").access(anyOf(OPERATE))
                        .pathMatchers(HttpMethod.GET, "/api/v1/withdrawals").access(anyOf(OPERATE))
                        // Anything else: a caller with a valid token learns it is not found (404) or takes
                        // other methods (405); one without learns nothing.
                        .anyExchange().authenticated())
                // No anonymous authentication: the open probes are open whoever calls, and every other
                // route needs a token; one filter less on every request.
                .anonymous(ServerHttpSecurity.AnonymousSpec::disable)
                .oauth2ResourceServer(resourceServer -> resourceServer
                        .bearerTokenConverter(new BearerTokens())
                        .jwt(jwt -> jwt.jwtDecoder(new RecentTokens(decoder, clock)))
                        .authenticationEntryPoint(ProblemAnswers.unauthorized(problems))
                        .accessDeniedHandler(ProblemAnswers.forbidden(problems)))
                .exceptionHandling(handling -> handling
                        .authenticationEntryPoint(ProblemAnswers.unauthorized(problems))
                        .accessDeniedHandler(ProblemAnswers.forbidden(problems)))
                .build();
    }
}
