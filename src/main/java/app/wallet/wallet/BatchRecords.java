package app.wallet.wallet;

import java.time.Duration;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import app.wallet.config.WalletProperties;
import app.wallet.store.Idempotency;
import app.wallet.store.WalletKeys;

/**
 * The answers to batches of credits sent with an Idempotency-Key, kept for {@code wallet.idempotency-ttl}.
 * A record is written after the batch's credits applied, not in their scripts (they span partitions): a
 * batch retried before its record exists, or sent twice at once, runs its credits again, and each of them
 * is then found by its own key and replayed, never applied twice.
 */
@Component
class BatchRecords {

    private final ReactiveStringRedisTemplate redis;
    private final WalletKeys keys;
    private final Duration ttl;

    BatchRecords(ReactiveStringRedisTemplate redis, WalletKeys keys, WalletProperties properties) {
        this.redis = redis;
        this.keys = keys;
        this.ttl = properties.idempotencyTtl();
    }

    /** A recorded answer: the fingerprint of the batch it answered, and its JSON body. */
    record Recorded(String fingerprint, String body) {
    }

    Mono<Recorded> find(Idempotency idempotency) {
        return redis.opsForValue().get(keys.batchIdempotency(idempotency.key()))
                .filter(value -> value.indexOf(' ') > 0)   // anything else is not a record this service wrote
                .map(value -> {
                    int space = value.indexOf(' ');
                    return new Recorded(value.substring(0, space), value.substring(space + 1));
                });
    }

    /** Records the answer unless one is recorded already (the same batch sent twice at once: the first stays). */
    Mono<Void> save(Idempotency idempotency, String body) {
        return redis.opsForValue().setIfAbsent(keys.batchIdempotency(idempotency.key()), idempotency.fingerprint() + " " + body, ttl)
                .then();
    }
}
