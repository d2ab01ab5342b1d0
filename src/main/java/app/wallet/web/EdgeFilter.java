package app.wallet.web;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * The first look at every request, before authentication and routing.
 *
 * <ul>
 * <li>A path with matrix parameters ({@code /approve;x=1}) is refused. Path matching drops everything
 * after a {@code ;} in a segment, so such a path would reach the route it resembles while a gateway rule
 * written for that route's path would not see it.</li>
 * <li>{@code HEAD} is answered as {@code GET}, headers only: router functions match methods exactly, and
 * the server already drops the body of a HEAD response.</li>
 * <li>An empty {@code Accept} is taken as none (any type), as clients mean it; some handlers fail on it.</li>
 * <li>An error the actuator answers without a body (its 404 for an unknown health component, say) gets a
 * problem body like every other error.</li>
 * <li>Every failure of the chain (a route's refusal, an unknown path) is answered as a problem by
 * {@link ProblemExceptionHandler}.</li>
 * </ul>
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class EdgeFilter implements WebFilter {

    private final Problems problems;
    private final ProblemExceptionHandler failures;

    EdgeFilter(Problems problems, ProblemExceptionHandler failures) {
        this.problems = problems;
        this.failures = failures;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String rawPath = exchange.getRequest().getURI().getRawPath();
        if (rawPath != null && rawPath.indexOf(';') >= 0) {
            return problems.write(exchange.getResponse(),
                    ApiException.invalid("path", "must not carry matrix parameters (';')"));
        }
        boolean head = HttpMethod.HEAD.equals(exchange.getRequest().getMethod());
        boolean blankAccept = exchange.getRequest().getHeaders().getOrEmpty(HttpHeaders.ACCEPT).stream().anyMatch(String::isBlank);
        // Only the actuator answers errors without a body; the routes always write a problem. A request
        // that needs no change goes on as it came: a mutated exchange costs every request.
        boolean actuator = rawPath != null && rawPath.startsWith("/actuator");
        if (!head && !blankAccept && !actuator) {
            return chain.filter(exchange).onErrorResume(error -> failures.handle(exchange, error));
        }
        ServerWebExchange.Builder mutated = exchange.mutate().request(request -> {
            if (head) {
                request.method(HttpMethod.GET);
            }
            if (blankAccept) {
                request.headers(headers -> headers.remove(HttpHeaders.ACCEPT));
            }
        });
        ServerWebExchange forward = actuator ? mutated.response(new ProblemIfEmpty(exchange.getResponse())).build() : mutated.build();
        return chain.filter(forward).onErrorResume(error -> failures.handle(forward, error));
    }

    /** Completes an error response that has no body with the problem of its status. */
    private final class ProblemIfEmpty extends ServerHttpResponseDecorator {

        ProblemIfEmpty(ServerHttpResponse response) {
            super(response);
        }

        @Override
        public Mono<Void> setComplete() {
            HttpStatusCode status = getStatusCode();
            if (status != null && status.value() >= 400 && !isCommitted() && getHeaders().getContentType() == null) {
                return problems.write(getDelegate(), Problems.ofStatus(status.value()));
            }
            return super.setComplete();
        }
    }
}
