package app.wallet.web;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.codec.HttpMessageReader;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.HandlerStrategies;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebExchangeDecorator;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Answers every failure of a request as a problem: the routes' refusals and failures, unknown paths,
 * methods a path does not take, actuator and framework errors. {@link EdgeFilter} hands it every failure
 * of the filter chain, so a refusal is answered like any response (a WebExceptionHandler's answer would
 * be recorded as an error in the request's trace and metrics); as a WebExceptionHandler it answers what
 * happens outside that chain, before Spring Boot's handler, whose body has no {@code code}.
 *
 * <p>Router functions have no notion of "this path, another method": a request they do not match falls
 * through to a 404. So a 404 is asked of the routes again with each other method, and a path that one
 * of them takes is answered 405 with {@code Allow}.
 */
@Component
@Order(-2)
class ProblemExceptionHandler implements WebExceptionHandler {

    private static final List<HttpMethod> METHODS =
            List.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE);

    private final RouterFunction<?> routes;
    private final Problems problems;
    /** Routing reads no body; the readers are only what a ServerRequest needs to exist. */
    private final List<HttpMessageReader<?>> readers = HandlerStrategies.withDefaults().messageReaders();

    ProblemExceptionHandler(List<RouterFunction<?>> routes, Problems problems) {
        this.routes = routes.stream().<RouterFunction<?>>map(route -> route)
                .reduce(RouterFunction::andOther).orElse(request -> Mono.empty());
        this.problems = problems;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
        if (exchange.getResponse().isCommitted()) {
            return Mono.error(error);
        }
        if (error instanceof ResponseStatusException status && status.getStatusCode().value() == 404) {
            return allowedMethods(exchange).flatMap(allowed -> allowed.isEmpty() ? write(exchange, error)
                    : write(exchange, new ResponseStatusException(HttpStatus.METHOD_NOT_ALLOWED), allowed));
        }
        return write(exchange, error);
    }

    private Mono<Void> write(ServerWebExchange exchange, Throwable error, Set<HttpMethod> allowed) {
        exchange.getResponse().getHeaders().setAllow(allowed);
        return write(exchange, error);
    }

    private Mono<Void> write(ServerWebExchange exchange, Throwable error) {
        if (error instanceof ResponseStatusException status) {
            status.getHeaders().forEach((name, values) -> exchange.getResponse().getHeaders().put(name, values));
        }
        ApiException problem = problems.classifyAndLog(error, exchange);
        if (problem.code().status().is5xxServerError()) {
            // The service failed, not the request: the request's trace and metrics record the failure (a
            // refusal is recorded as the response it is).
            ServerRequestObservationContext.findCurrent(exchange.getAttributes()).ifPresent(context -> context.setError(error));
        }
        HttpHeaders headers = exchange.getResponse().getHeaders();
        if (problem.replayed()) {
            headers.set(Requests.REPLAYED, "true");
        }
        if (problem.code() == ErrorCode.UNAUTHORIZED) {
            // A route's own refusal of a credential (a stream ticket), told as RFC 6750 tells a bad token.
            headers.set(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
        }
        return problems.write(exchange.getResponse(), problem);
    }

    /**
     * The request as if sent with {@code method}, with attributes of its own: routing leaves the pattern it
     * matched among the exchange's attributes, and nested routes would take it for a prefix of theirs.
     */
    private static ServerWebExchange withMethod(ServerWebExchange exchange, HttpMethod method) {
        Map<String, Object> attributes = new HashMap<>();
        return new ServerWebExchangeDecorator(exchange.mutate().request(request -> request.method(method)).build()) {
            @Override
            public Map<String, Object> getAttributes() {
                return attributes;
            }
        };
    }

    /** The methods the routes take at this path; HEAD goes with GET. */
    private Mono<Set<HttpMethod>> allowedMethods(ServerWebExchange exchange) {
        return Flux.fromIterable(METHODS)
                .filterWhen(method -> routes.route(ServerRequest.create(withMethod(exchange, method), readers))
                        .hasElement())
                .collectList()
                .map(methods -> {
                    Set<HttpMethod> allowed = new LinkedHashSet<>(methods);
                    if (allowed.contains(HttpMethod.GET)) {
                        allowed.add(HttpMethod.HEAD);
                    }
                    return allowed;
                });
    }
}
