package app.wallet.web;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
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
 * </ul>
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class EdgeFilter implements WebFilter {

    private final ProblemWriter problems;

    EdgeFilter(ProblemWriter problems) {
        this.problems = problems;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String rawPath = exchange.getRequest().getURI().getRawPath();
        if (rawPath != null && rawPath.indexOf(';') >= 0) {
            return problems.write(exchange.getResponse(),
                    ApiException.invalid("path", "must not carry matrix parameters (';')"));
        }
        if (HttpMethod.HEAD.equals(exchange.getRequest().getMethod())) {
            return chain.filter(exchange.mutate().request(request -> request.method(HttpMethod.GET)).build());
        }
        return chain.filter(exchange);
    }
}
