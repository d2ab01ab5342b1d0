package app.wallet.withdrawal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import app.wallet.config.WalletProperties;
import app.wallet.metrics.WalletMetrics;
import app.wallet.store.Idempotency;
import app.wallet.store.LuaScript;
import app.wallet.store.Page;
import app.wallet.store.ScriptOutcome.Applied;
import app.wallet.store.ScriptOutcome;
import app.wallet.store.Scripts;
import app.wallet.store.StoreException;
import app.wallet.store.WalletKeys;
import app.wallet.wallet.Wallet;

/** Requests, settles and lists withdrawals; every change is one atomic script. */
@Service
public class WithdrawalService {

    /** The queue of expired withdrawals: they are REJECTED with this reason, and listed apart as well. */
    public static final String EXPIRED = "EXPIRED";
    public static final String EXPIRED_REASON = "expired";
    /** Who expires a withdrawal, in its ledger entry and event. */
    public static final String EXPIRY_ACTOR = "system:expiry";
    /** Who approves a withdrawal the policy lets through, in its ledger entry and event. */
    public static final String POLICY_ACTOR = "system:policy";

    private final ReactiveStringRedisTemplate redis;
    private final Scripts scripts;
    private final WalletKeys keys;
    private final WalletProperties.Withdrawal policy;
    private final String currency;
    private final String idempotencyTtlSeconds;
    private final Clock clock;
    private final WalletMetrics metrics;

    WithdrawalService(ReactiveStringRedisTemplate redis, Scripts scripts, WalletKeys keys, WalletProperties properties,
            Clock clock, WalletMetrics metrics) {
        this.redis = redis;
        this.scripts = scripts;
        this.keys = keys;
        this.policy = properties.withdrawal();
        this.currency = properties.currency();
        this.idempotencyTtlSeconds = Long.toString(properties.idempotencyTtl().toSeconds());
        this.clock = clock;
        this.metrics = metrics;
    }

    /** Moves {@code amount} from the balance to pending, if the balance covers it, as a new PENDING withdrawal. */
    public Mono<Applied<Withdrawal>> request(String userId, long amount, String actor,
            Optional<Idempotency> idempotency) {
        String withdrawalId = keys.newId();
        List<String> scriptKeys = new ArrayList<>(List.of(keys.wallet(userId), keys.withdrawal(userId, withdrawalId),
                keys.withdrawals(userId), keys.withdrawals(userId, WithdrawalStatus.PENDING.name()),
                keys.ledger(userId), keys.outbox(userId), keys.queue(userId, WithdrawalStatus.PENDING.name()),
                keys.withdrawals(userId, WithdrawalStatus.APPROVED.name()), keys.queue(userId, WithdrawalStatus.APPROVED.name()),
                keys.policy(userId), keys.withdrawalWindow(userId), keys.alerts(userId)));
        idempotency.ifPresent(i -> scriptKeys.add(keys.idempotency(userId, "withdraw", i.key())));
        List<String> args = List.of(userId, Long.toString(amount), withdrawalId, keys.newId(),
                Long.toString(clock.millis()), fingerprint(idempotency), idempotencyTtlSeconds, keys.changes(userId),
                orNone(policy.autoApproveMax()), orNone(policy.dailyLimit()), orNone(policy.dailyCount()), keys.newId(), POLICY_ACTOR);
        return change("withdraw", LuaScript.WITHDRAW, scriptKeys, args, actor, userId, "a withdrawal of " + amount, amount);
    }

    public Mono<Applied<Withdrawal>> approve(String userId, String withdrawalId, String actor,
            Optional<Idempotency> idempotency) {
        return settle("approve", WithdrawalStatus.APPROVED, userId, withdrawalId, actor, idempotency, "", "");
    }

    public Mono<Applied<Withdrawal>> reject(String userId, String withdrawalId, @Nullable String reason, String actor,
            Optional<Idempotency> idempotency) {
        return settle("reject", WithdrawalStatus.REJECTED, userId, withdrawalId, actor, idempotency,
                reason == null ? "" : reason, "");
    }

    /**
     * Rejects a withdrawal with reason {@code expired} if it is still PENDING and was requested at or before
     * {@code requestedBy}, both checked inside the script: of an expiry and an approval racing each other
     * exactly one applies. A withdrawal settled or requested since is refused ({@link StoreException.Refused}).
     */
    public Mono<Withdrawal> expire(String userId, String withdrawalId, Instant requestedBy) {
        return settle("expire", WithdrawalStatus.REJECTED, userId, withdrawalId, EXPIRY_ACTOR, Optional.empty(),
                EXPIRED_REASON, Long.toString(requestedBy.toEpochMilli()))
                .map(Applied::result);
    }

    public Mono<Withdrawal> find(String userId, String withdrawalId) {
        return read(userId, withdrawalId).switchIfEmpty(Mono.error(
                () -> StoreException.Refused.noWithdrawal(withdrawalId)));
    }

    /** Newest first; the cursor is the id of the last withdrawal of the previous page. */
    public Mono<Page<Withdrawal>> list(String userId, @Nullable WithdrawalStatus status, int limit,
            @Nullable String cursor) {
        String index = status == null ? keys.withdrawals(userId) : keys.withdrawals(userId, status.name());
        Range<String> range = cursor == null ? Range.unbounded() : Range.leftUnbounded(Range.Bound.exclusive(cursor));
        return redis.opsForZSet().reverseRangeByLex(index, range, Limit.limit().count(limit + 1))
                .collectList()
                .flatMap(page -> {
                    boolean more = page.size() > limit;
                    List<String> shown = more ? page.subList(0, limit) : page;
                    // All reads in flight at once (one pipelined round trip), answered in page order.
                    return Flux.fromIterable(shown)
                            .flatMapSequential(id -> read(userId, id))
                            .collectList()
                            .map(items -> new Page<>(items, more ? shown.get(shown.size() - 1) : null));
                });
    }

    Mono<Withdrawal> read(String userId, String withdrawalId) {
        return redis.<String, String>opsForHash().entries(keys.withdrawal(userId, withdrawalId))
                .collectMap(Map.Entry::getKey, Map.Entry::getValue)
                .filter(hash -> !hash.isEmpty())
                .map(Withdrawal::of);
    }

    /** Approves or rejects ({@code outcome}); an expiry is a rejection with the latest request time that expired. */
    private Mono<Applied<Withdrawal>> settle(String operation, WithdrawalStatus outcome, String userId, String withdrawalId,
            String actor, Optional<Idempotency> idempotency, String reason, String expiredBefore) {
        List<String> scriptKeys = new ArrayList<>(List.of(keys.wallet(userId), keys.withdrawal(userId, withdrawalId),
                keys.withdrawals(userId, WithdrawalStatus.PENDING.name()), keys.withdrawals(userId, outcome.name()),
                keys.ledger(userId), keys.outbox(userId), keys.queue(userId, WithdrawalStatus.PENDING.name()),
                keys.queue(userId, outcome.name()), keys.queue(userId, EXPIRED), keys.withdrawalWindow(userId), keys.alerts(userId)));
        idempotency.ifPresent(i -> scriptKeys.add(keys.idempotency(userId, operation, i.key())));
        List<String> args = List.of(userId, withdrawalId, keys.newId(), Long.toString(clock.millis()),
                fingerprint(idempotency), idempotencyTtlSeconds, keys.changes(userId), outcome.name(), reason, expiredBefore);
        return change(operation, LuaScript.SETTLE, scriptKeys, args, actor, userId, withdrawalId, 0);
    }

    private Mono<Applied<Withdrawal>> change(String operation, LuaScript script, List<String> scriptKeys,
            List<String> args, String actor, String userId, String subject, long amount) {
        return scripts.run(operation, script, scriptKeys, args, actor)
                .map(outcome -> {
                    if (outcome instanceof ScriptOutcome.Refused refused) {
                        metrics.refusal(refused, amount);
                    }
                    return outcome.changedOrThrow(userId, subject).as(changed -> Withdrawal.of(
                            Objects.requireNonNull(changed.withdrawal()), Wallet.of(changed.wallet(), userId, currency)));
                });
    }

    private static String orNone(@Nullable Number setting) {
        return setting == null ? "" : setting.toString();
    }

    private static String fingerprint(Optional<Idempotency> idempotency) {
        return idempotency.map(Idempotency::fingerprint).orElse("");
    }
}
