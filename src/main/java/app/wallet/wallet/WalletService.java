package app.wallet.wallet;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

import app.wallet.config.WalletProperties;
import app.wallet.ledger.LedgerEntryType;
import app.wallet.ledger.LedgerService;
import app.wallet.metrics.WalletMetrics;
import app.wallet.store.Applied;
import app.wallet.store.ChangeRefusedException;
import app.wallet.store.LuaScript;
import app.wallet.store.TimeOrderedIds;
import app.wallet.store.WalletKeys;
import app.wallet.store.WalletScripts;
import app.wallet.web.ApiException;
import app.wallet.web.ErrorCode;
import app.wallet.web.Idempotency;

/** Reads wallets and credits earnings, each credit one atomic script. */
@Service
public class WalletService {

    private final ReactiveStringRedisTemplate redis;
    private final WalletScripts scripts;
    private final LuaScript creditScript;
    private final WalletKeys keys;
    private final WalletProperties properties;
    private final TimeOrderedIds ids;
    private final Clock clock;
    private final WalletMetrics metrics;
    private final LedgerService ledger;

    WalletService(ReactiveStringRedisTemplate redis, WalletScripts scripts, LuaScript creditScript,
            WalletKeys keys, WalletProperties properties, TimeOrderedIds ids, Clock clock, WalletMetrics metrics,
            LedgerService ledger) {
        this.redis = redis;
        this.scripts = scripts;
        this.creditScript = creditScript;
        this.keys = keys;
        this.properties = properties;
        this.ids = ids;
        this.clock = clock;
        this.metrics = metrics;
        this.ledger = ledger;
    }

    public Mono<Wallet> find(String userId) {
        return redis.<String, String>opsForHash().entries(keys.wallet(userId))
                .collectMap(entry -> entry.getKey(), entry -> entry.getValue())
                .filter(hash -> !hash.isEmpty())
                .map(hash -> Wallet.of(hash, userId, properties.currency()))
                .switchIfEmpty(Mono.error(() -> new ApiException(ErrorCode.WALLET_NOT_FOUND, "No wallet for user " + userId)));
    }

    /**
     * The wallet as it was at {@code instant}: the state its newest ledger entry at or before then left it
     * in. Walks the ledger back from the newest entry, so the cost grows with the changes made since.
     * Entries written after the wallet was read are skipped, which makes the two reads one consistent view.
     */
    public Mono<Wallet> findAt(String userId, Instant instant) {
        return find(userId).flatMap(current -> {
            long[] after = new long[2];   // credits and approved withdrawals newer than the entry sought
            return ledger.newestFirst(userId)
                    .filter(entry -> entry.version() <= current.version())
                    .filter(entry -> {
                        if (!entry.at().isAfter(instant)) {
                            return true;
                        }
                        if (entry.type() == LedgerEntryType.CREDIT) {
                            after[0] += entry.amount();
                        }
                        else if (entry.type() == LedgerEntryType.WITHDRAWAL_APPROVED) {
                            after[1] += entry.amount();
                        }
                        return false;
                    })
                    .next()
                    .map(entry -> new Wallet(userId, current.currency(), entry.balanceAfter(), entry.pendingAfter(),
                            current.totalEarnings() - after[0], current.totalWithdrawn() - after[1], entry.version(),
                            current.createdAt(), entry.at()));
        }).switchIfEmpty(Mono.error(() -> new ApiException(ErrorCode.WALLET_NOT_FOUND,
                "No wallet for user " + userId + " at " + instant)));
    }

    public Mono<Applied<Wallet>> credit(String userId, long amount, @Nullable String reference, String actor,
            Optional<Idempotency> idempotency) {
        List<String> scriptKeys = new ArrayList<>(List.of(keys.wallet(userId), keys.ledger(userId), keys.outbox(userId)));
        idempotency.ifPresent(i -> scriptKeys.add(keys.idempotency(userId, "credit", i.key())));
        List<String> args = List.of(userId, Long.toString(amount), reference == null ? "" : reference, ids.next(),
                Long.toString(clock.millis()), idempotency.map(Idempotency::fingerprint).orElse(""),
                Long.toString(properties.idempotencyTtl().toSeconds()), Long.toString(WalletProperties.MAX_MONEY_VALUE),
                keys.changes(userId));
        return metrics.observe("credit", scripts.run(creditScript, scriptKeys, args, actor)
                .map(outcome -> outcome.changedOrThrow(refused -> {
                    metrics.refusal(refused, amount);
                    return ChangeRefusedException.of(refused, userId, "a credit of " + amount);
                }))
                .map(changed -> new Applied<>(Wallet.of(changed.wallet(), userId, properties.currency()), changed.replayed())));
    }
}
