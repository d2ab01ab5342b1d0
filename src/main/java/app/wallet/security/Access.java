package app.wallet.security;

import java.util.Set;

import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.authorization.ReactiveAuthorizationManager;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.web.server.authorization.AuthorizationContext;
import org.jspecify.annotations.Nullable;

/** The two kinds of rule the routes need: a scope, or a scope held by the wallet's own user. */
final class Access {

    private Access() {
    }

    static ReactiveAuthorizationManager<AuthorizationContext> anyOf(String... scopes) {
        return ownerWithOrAnyOf(null, scopes);
    }

    /**
     * {@code ownerScope} held by the user whose wallet the path names ({@code sub} = the {@code userId}
     * path variable), or any one of {@code scopes} held by anyone.
     */
    static ReactiveAuthorizationManager<AuthorizationContext> ownerWithOrAnyOf(@Nullable String ownerScope, String... scopes) {
        Set<String> any = Set.of(scopes);
        return (authentication, context) -> authentication
                .filter(Authentication::isAuthenticated)
                .<AuthorizationResult>map(caller -> new AuthorizationDecision(holdsAny(caller, any)
                        || ownerScope != null && holds(caller, ownerScope) && isOwner(caller, context)))
                .defaultIfEmpty(new AuthorizationDecision(false));
    }

    private static boolean isOwner(Authentication caller, AuthorizationContext context) {
        Object userId = context.getVariables().get("userId");
        return caller instanceof JwtAuthenticationToken token && userId != null
                && userId.equals(token.getToken().getSubject());
    }

    private static boolean holdsAny(Authentication caller, Set<String> scopes) {
        return scopes.stream().anyMatch(scope -> holds(caller, scope));
    }

    private static boolean holds(Authentication caller, String scope) {
        String authority = "SCOPE_" + scope;
        for (GrantedAuthority granted : caller.getAuthorities()) {
            if (authority.equals(granted.getAuthority())) {
                return true;
            }
        }
        return false;
    }
}
