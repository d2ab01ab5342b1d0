package app.wallet.wallet;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import app.wallet.config.WalletProperties;
import app.wallet.ledger.LedgerEntryType;
import app.wallet.ledger.LedgerService;
import app.wallet.store.Idempotency;
import app.wallet.store.LuaScript;
import app.wallet.store.Refusal;
import app.wallet.store.ScriptOutcome.Applied;
import app.wallet.store.ScriptOutcome;
import app.wallet.store.Scripts;
import app.wallet.store.StoreException;
import app.wallet.store.WalletKeys;

/** Reads wallets and credits earnings, each credit one atomic script. */
@Service
public class WalletService {

    private static final String MAX_MONEY = Long.toString(Scripts.MAX_MONEY);

    private final ReactiveStringRedisTemplate redis;
    private final Scripts scripts;
    private final WalletKeys keys;
    private final Clock clock;
    private final LedgerService ledger;
    private final String currency;
    private final String idempotencyTtlSeconds;

    WalletService(ReactiveStringRedisTemplate redis, Scripts scripts,
            WalletKeys keys, WalletProperties properties, Clock clock, LedgerService ledger) {
        this.redis = redis;
        this.scripts = scripts;
        this.keys = keys;
        this.clock = clock;
        this.ledger = ledger;
        this.currency = properties.currency();
        this.idempotencyTtlSeconds = Long.toString(properties.idempotencyTtl().toSeconds());
    }

    public Mono<Wallet> find(String userId) {
        return redis.<String, String>opsForHash().entries(keys.wallet(userId))
                .collectMap(entry -> entry.getKey(), entry -> entry.getValue())
                .filter(hash -> !hash.isEmpty())
                .map(hash -> Wallet.of(hash, userId, currency))
                .switchIfEmpty(Mono.error(() -> StoreException.Refused.noWallet(userId)));
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
        }).switchIfEmpty(Mono.error(() -> new StoreException.Refused(Refusal.WALLET_NOT_FOUND,
                "No wallet for user " + userId + " at " + instant, null, false)));
    }

    public Mono<Applied<Wallet>> credit(String userId, long amount, @Nullable String reference, String actor,
            Optional<Idempotency> idempotency) {
        Credit credit = new Credit(userId, amount, reference, idempotency.orElse(null));
        return scripts.run("credit", LuaScript.CREDIT, creditKeys(credit), creditArgs(credit), actor)
                .map(outcome -> applied(credit, outcome));
    }

    /** One credit of several: its wallet, amount, optional reference and optional idempotency key. */
    public record Credit(String userId, long amount, @Nullable String reference, @Nullable Idempotency idempotency) {
    }

    /** What became of one credit of several: applied (or replayed), or refused. */
    public record CreditOutcome(Credit credit, @Nullable Applied<Wallet> applied, StoreException.@Nullable Refused refused) {
    }

    /**
     * Applies each credit atomically and idempotently on its own, exactly as {@link #credit} would, but sends
     * them to Redis pipelined (one write per master). Outcomes come in the order of the credits; a failure
     * to reach Redis fails the whole (the credits that did apply are found again by their keys).
     */
    public Flux<CreditOutcome> creditAll(List<Credit> credits, String actor) {
        List<List<String>> allKeys = credits.stream().map(this::creditKeys).toList();
        List<List<String>> allArgs = credits.stream().map(this::creditArgs).toList();
        return scripts.runAll("credit", LuaScript.CREDIT, allKeys, allArgs, actor)
                .index()
                .map(reply -> {
                    Credit credit = credits.get(reply.getT1().intValue());
                    try {
                        return new CreditOutcome(credit, applied(credit, reply.getT2()), null);
                    }
                    catch (StoreException.Refused refused) {
                        return new CreditOutcome(credit, null, refused);
                    }
                });
    }

    private List<String> creditKeys(Credit credit) {
        String userId = credit.userId();
        List<String> scriptKeys = new ArrayList<>(List.of(keys.wallet(userId), keys.ledger(userId), keys.outbox(userId),
                keys.alerts(userId)));
        if (credit.idempotency() != null) {
            scriptKeys.add(keys.idempotency(userId, "credit", credit.idempotency().key()));
        }
        return scriptKeys;
    }

    private List<String> creditArgs(Credit credit) {
        return List.of(credit.userId(), Long.toString(credit.amount()), credit.reference() == null ? "" : credit.reference(),
                keys.newId(), Long.toString(clock.millis()),
                credit.idempotency() == null ? "" : credit.idempotency().fingerprint(),
                idempotencyTtlSeconds, MAX_MONEY,
                keys.changes(credit.userId()));
    }

    private Applied<Wallet> applied(Credit credit, ScriptOutcome outcome) {
        return outcome.changedOrThrow(credit.userId(), "a credit of " + credit.amount())
                .as(changed -> Wallet.of(changed.wallet(), credit.userId(), currency));
    }
}
