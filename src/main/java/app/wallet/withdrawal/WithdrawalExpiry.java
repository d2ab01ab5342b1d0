package app.wallet.withdrawal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import app.wallet.config.PeriodicTask;
import app.wallet.config.WalletProperties;
import app.wallet.store.StoreException;
import app.wallet.store.WalletKeys;

/**
 * Rejects withdrawals left PENDING longer than {@code wallet.withdrawal.pending-timeout}, with reason
 * {@code expired}. Every instance sweeps every partition's PENDING queue; that two instances, or an instance
 * and an operator's approval, reach the same withdrawal is safe, since the script checks inside that it is
 * still PENDING and old enough, and exactly one of them applies.
 */
@Component
class WithdrawalExpiry extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(WithdrawalExpiry.class);
    /** Withdrawals expired per partition and pass; more wait for the next pass. */
    private static final int PER_PARTITION = 100;
    private static final int CONCURRENT_PARTITIONS = 8;

    private final ReactiveStringRedisTemplate redis;
    private final WalletKeys keys;
    private final WithdrawalService withdrawals;
    private final Clock clock;
    private final @Nullable Duration timeout;

    WithdrawalExpiry(ReactiveStringRedisTemplate redis, WalletKeys keys, WithdrawalService withdrawals, Clock clock,
            WalletProperties properties) {
        super("Withdrawal expiry pass", properties.withdrawal().pendingTimeout() == null ? null
                : properties.withdrawal().expiryInterval());
        this.redis = redis;
        this.keys = keys;
        this.withdrawals = withdrawals;
        this.clock = clock;
        this.timeout = properties.withdrawal().pendingTimeout();
    }

    @Override
    public void start() {
        if (timeout != null) {
            log.info("PENDING withdrawals expire after {}", timeout);
        }
        super.start();
    }

    /** One pass over every partition; the number of withdrawals it expired. */
    @Override
    protected Mono<Long> runPass() {
        Duration pendingTimeout = timeout;
        if (pendingTimeout == null) {
            return Mono.just(0L);
        }
        Instant requestedBy = clock.instant().minus(pendingTimeout);
        // Ids are time-ordered: those made before the cut-off sort below this bound. The script checks the
        // request time itself.
        Range<String> old = Range.leftUnbounded(Range.Bound.exclusive(WalletKeys.idLowerBound(requestedBy.toEpochMilli())));
        return Flux.range(0, keys.partitions())
                .flatMap(partition -> redis.opsForZSet().rangeByLex(keys.queue(partition, "PENDING"), old,
                        Limit.limit().count(PER_PARTITION))
                        .concatMap(entry -> expire(entry, requestedBy)), CONCURRENT_PARTITIONS)
                .count();
    }

    /**
     * Expires one withdrawal; one settled or requested meanwhile is left as it is. Any other failure is
     * logged and the pass goes on: one bad entry must not stop the expiry of the others.
     */
    Mono<Withdrawal> expire(String entry, Instant requestedBy) {
        return withdrawals.expire(WalletKeys.userIdOfQueueEntry(entry), WalletKeys.withdrawalIdOfQueueEntry(entry), requestedBy)
                .onErrorResume(StoreException.Refused.class, refused -> Mono.empty())
                .onErrorResume(error -> !StoreException.isUnavailable(error), error -> {
                    log.warn("Could not expire withdrawal {}: {}", entry, error.toString());
                    return Mono.empty();
                });
    }
}
