package app.wallet.security;

import java.security.Principal;

import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.publisher.Mono;

/** Who made a request, as recorded with the change it made and as the scope of its idempotency keys. */
public final class Callers {

    /** The actor of requests served while authentication is switched off. */
    public static final String ANONYMOUS = "anonymous";

    private Callers() {
    }

    public static Mono<String> actor(ServerRequest request) {
        return request.principal().map(Callers::actor).defaultIfEmpty(ANONYMOUS);
    }

    /**
     * The token's subject; a client-credentials token without one is named by its client id
     * ({@code client_id}, RFC 9068, or {@code azp}).
     */
    static String actor(Principal principal) {
        if (principal instanceof JwtAuthenticationToken token) {
            Jwt jwt = token.getToken();
            for (String claim : new String[] {"sub", "client_id", "azp"}) {
                String value = jwt.getClaimAsString(claim);
                if (value != null && !value.isBlank()) {
                    return value;
                }
            }
            return "unidentified-client";
        }
        return principal.getName();
    }
}
