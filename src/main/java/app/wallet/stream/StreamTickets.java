package app.wallet.stream;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import app.wallet.store.WalletKeys;

/**
 * Tickets that open a wallet's balance stream without an {@code Authorization} header, which a browser's
 * {@code EventSource} cannot send. A ticket is issued to whoever may read the stream, names one wallet,
 * and is good once, within {@link #VALIDITY}. Redis keeps only its SHA-256, under the wallet's tag, so
 * every instance sharing the Redis accepts it and reading the keys gives no ticket away; taking it is
 * one {@code GETDEL}, so two opens with the same ticket cannot both succeed.
 */
@Component
public class StreamTickets {

    public static final Duration VALIDITY = Duration.ofSeconds(60);
    /** The stream's query parameter that carries a ticket. */
    public static final String PARAMETER = "ticket";

    public record Ticket(String ticket, Instant expiresAt) {
    }

    private final ReactiveStringRedisTemplate redis;
    private final WalletKeys keys;
    private final Clock clock;
    private final SecureRandom random;

    StreamTickets(ReactiveStringRedisTemplate redis, WalletKeys keys, Clock clock) throws NoSuchAlgorithmException {
        this.redis = redis;
        this.keys = keys;
        this.clock = clock;
        // DRBG seeds itself once, here, at start-up; the platform default reads /dev/urandom on every
        // call, file I/O an event-loop thread should not do.
        this.random = SecureRandom.getInstance("DRBG");
        this.random.nextBytes(new byte[1]);
    }

    public Mono<Ticket> issue(String userId) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String ticket = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Instant expiresAt = clock.instant().plus(VALIDITY);
        return redis.opsForValue().set(keys.streamTicket(userId, ticket), userId, VALIDITY)
                .thenReturn(new Ticket(ticket, expiresAt));
    }

    /** Whether the ticket was issued for this wallet, unused and unexpired; it is used up either way. */
    public Mono<Boolean> redeem(String userId, String ticket) {
        if (ticket.length() != 43) {
            return Mono.just(false);
        }
        return redis.opsForValue().getAndDelete(keys.streamTicket(userId, ticket))
                .map(userId::equals)
                .defaultIfEmpty(false);
    }
}
