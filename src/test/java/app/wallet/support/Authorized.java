package app.wallet.support;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.http.HttpHeaders;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;

/**
 * Tests about something other than authorization call as a caller that may do anything to the wallet a
 * path names: its owner, holding every scope. A request that brings its own Authorization header keeps it.
 */
public final class Authorized {

    public static final String ALL_SCOPES = "wallet:read wallet:withdraw wallet:credit wallet:operate metrics:read";

    private static final Pattern WALLET = Pattern.compile("/api/v1/wallets/([^/?;]+)");
    private static final Map<String, String> TOKENS = new ConcurrentHashMap<>();

    private Authorized() {
    }

    /**
     * Signs the owners' tokens ahead, on the calling thread: signing reads the system's random source,
     * which must not happen on the event loop of a client under load.
     */
    public static void signAhead(Iterable<String> subjects) {
        subjects.forEach(Authorized::token);
    }

    private static String token(String subject) {
        return TOKENS.computeIfAbsent(subject, s -> LocalTokens.shared().token(s, ALL_SCOPES, Duration.ofHours(2)));
    }

    /** Makes the service under test trust {@link LocalTokens}. */
    public static void trustLocalTokens(DynamicPropertyRegistry registry) {
        LocalTokens.shared().properties().forEach((name, value) -> registry.add(name, () -> value));
    }

    /** Adds the bearer token of the named wallet's owner with every scope; "operator" where no wallet is named. */
    public static ExchangeFilterFunction asOwnerWithEveryScope() {
        return (request, next) -> {
            if (request.headers().containsHeader(HttpHeaders.AUTHORIZATION)) {
                return next.exchange(request);
            }
            Matcher wallet = WALLET.matcher(request.url().getRawPath());
            String subject = wallet.find() ? wallet.group(1) : "operator";
            String token = token(subject);
            return next.exchange(ClientRequest.from(request).headers(h -> h.setBearerAuth(token)).build());
        };
    }
}
