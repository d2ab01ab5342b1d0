package app.wallet.security;

import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.security.oauth2.server.resource.web.access.server.BearerTokenServerAccessDeniedHandler;
import org.springframework.security.oauth2.server.resource.web.server.BearerTokenServerAuthenticationEntryPoint;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authorization.ServerAccessDeniedHandler;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import app.wallet.web.ApiException;
import app.wallet.web.ErrorCode;
import app.wallet.web.Problems;

/**
 * 401 and 403 as problems. Spring Security's bearer-token handlers write the {@code WWW-Authenticate}
 * header (RFC 6750: {@code invalid_token}, {@code insufficient_scope}) and then complete the response
 * empty; here the completion writes the problem body instead.
 */
final class ProblemAnswers {

    private ProblemAnswers() {
    }

    static ServerAuthenticationEntryPoint unauthorized(Problems problems) {
        BearerTokenServerAuthenticationEntryPoint bearer = new BearerTokenServerAuthenticationEntryPoint();
        ApiException problem = new ApiException(ErrorCode.UNAUTHORIZED,
                "Send a valid bearer token: Authorization: Bearer <JWT>");
        return (exchange, error) -> bearer.commence(withBody(exchange, problems, problem), error);
    }

    static ServerAccessDeniedHandler forbidden(Problems problems) {
        BearerTokenServerAccessDeniedHandler bearer = new BearerTokenServerAccessDeniedHandler();
        ApiException problem = new ApiException(ErrorCode.FORBIDDEN,
                "The token does not allow this request: another user's wallet, or a scope it lacks");
        return (exchange, error) -> bearer.handle(withBody(exchange, problems, problem), error);
    }

    private static ServerWebExchange withBody(ServerWebExchange exchange, Problems problems, ApiException problem) {
        ServerHttpResponseDecorator response = new ServerHttpResponseDecorator(exchange.getResponse()) {
            @Override
            public Mono<Void> setComplete() {
                return problems.write(getDelegate(), problem);
            }

            @Override
            public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
                return getDelegate().writeWith(body);
            }
        };
        return exchange.mutate().response(response).build();
    }
}
