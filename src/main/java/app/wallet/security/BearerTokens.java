package app.wallet.security;

import java.util.List;

import org.springframework.http.HttpHeaders;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.resource.BearerTokenErrors;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.security.web.server.authentication.ServerAuthenticationConverter;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The bearer token of a request's {@code Authorization} header, by RFC 6750's rules: {@code Bearer}, one
 * space, then {@code b64token} ({@code [A-Za-z0-9-._~+/]+=*}). What Spring Security's own converter
 * does with a regular expression on every request, which the benchmark found among the costliest steps
 * of a request; a malformed token is refused the same way ({@code invalid_token}), and so are two
 * headers. Tokens are never read from the query string.
 */
final class BearerTokens implements ServerAuthenticationConverter {

    private static final String SCHEME = "Bearer";

    @Override
    public Mono<Authentication> convert(ServerWebExchange exchange) {
        List<String> headers = exchange.getRequest().getHeaders().get(HttpHeaders.AUTHORIZATION);
        if (headers == null || headers.isEmpty() || !headers.get(0).regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return Mono.empty();
        }
        if (headers.size() > 1) {
            return Mono.error(new OAuth2AuthenticationException(BearerTokenErrors.invalidRequest("Found multiple bearer tokens in the request")));
        }
        String header = headers.get(0);
        if (!isToken(header, SCHEME.length() + 1) || header.charAt(SCHEME.length()) != ' ') {
            return Mono.error(new OAuth2AuthenticationException(BearerTokenErrors.invalidToken("Bearer token is malformed")));
        }
        return Mono.just(new BearerTokenAuthenticationToken(header.substring(SCHEME.length() + 1)));
    }

    /** Whether {@code text} from {@code start} is a b64token: token characters, then only {@code =}. */
    private static boolean isToken(String text, int start) {
        int i = start;
        while (i < text.length() && isTokenCharacter(text.charAt(i))) {
            i++;
        }
        if (i == start) {
            return false;
        }
        while (i < text.length() && text.charAt(i) == '=') {
            i++;
        }
        return i == text.length();
    }

    private static boolean isTokenCharacter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
    }
}
