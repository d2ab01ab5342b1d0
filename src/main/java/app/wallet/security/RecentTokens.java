package app.wallet.security;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import reactor.core.publisher.Mono;

/**
 * Remembers the tokens it has already checked, until they expire. A caller sends the same token with
 * every request for its whole lifetime (an earnings service for an hour, an app for minutes), and
 * checking it again each time (parsing, an RSA signature, the claims) costs more than the money change
 * itself. The key is the whole token, signature included, so only a token that passed the check can
 * match; an expired one is checked again, and refused, by the decoder.
 */
final class RecentTokens implements ReactiveJwtDecoder {

    /** Enough for every caller of one instance; when full it starts over rather than grow. */
    static final int CAPACITY = 10_000;

    private final ReactiveJwtDecoder decoder;
    private final Clock clock;
    private final Map<String, Jwt> checked = new ConcurrentHashMap<>();

    RecentTokens(ReactiveJwtDecoder decoder, Clock clock) {
        this.decoder = decoder;
        this.clock = clock;
    }

    @Override
    public Mono<Jwt> decode(String token) {
        Jwt known = checked.get(token);
        if (known != null) {
            Instant expiresAt = known.getExpiresAt();
            if (expiresAt == null || clock.instant().isBefore(expiresAt)) {
                return Mono.just(known);
            }
            checked.remove(token);
        }
        return decoder.decode(token).doOnNext(jwt -> {
            if (checked.size() >= CAPACITY) {
                checked.clear();
            }
            checked.put(token, jwt);
        });
    }
}
