package app.wallet.audit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import app.wallet.config.WalletProperties;
import app.wallet.ledger.LedgerChain;
import app.wallet.ledger.LedgerEntry;
import app.wallet.ledger.LedgerService;
import app.wallet.metrics.WalletMetrics;
import app.wallet.store.StoreException;
import app.wallet.store.WalletKeys;
import app.wallet.wallet.Wallet;
import app.wallet.withdrawal.WithdrawalStatus;

/**
 * Walks every wallet with SCAN (never KEYS, so Redis is not stalled) and checks its invariants against its
 * ledger and withdrawals. The reads of one wallet are not atomic, so they are bracketed by its version:
 * if the version moved during the reads, the wallet changed under the audit and is read again.
 */
@Service
public class ConsistencyAuditor {

    private static final Logger log = LoggerFactory.getLogger(ConsistencyAuditor.class);
    private static final int REPORTED_FAILURES = 100;

    private final ReactiveStringRedisTemplate redis;
    private final WalletKeys keys;
    private final LedgerService ledger;
    private final String currency;
    private final WalletMetrics metrics;
    private final Clock clock;

    ConsistencyAuditor(ReactiveStringRedisTemplate redis, WalletKeys keys, LedgerService ledger,
            WalletProperties properties, WalletMetrics metrics, Clock clock) {
        this.redis = redis;
        this.keys = keys;
        this.ledger = ledger;
        this.currency = properties.currency();
        this.metrics = metrics;
        this.clock = clock;
    }

    public Mono<AuditReport> audit() {
        return Mono.defer(() -> {
            Instant startedAt = clock.instant();
            AtomicLong checked = new AtomicLong();
            AtomicLong failures = new AtomicLong();
            ConcurrentLinkedQueue<String> failed = new ConcurrentLinkedQueue<>();
            return redis.scan(ScanOptions.scanOptions().match(keys.walletPattern()).count(500).build())
                    .map(keys::userIdOfWalletKey)
                    .flatMap(userId -> check(userId).doOnNext(violations -> {
                        checked.incrementAndGet();
                        if (!violations.isEmpty()) {
                            failures.incrementAndGet();
                            metrics.consistencyFailure();
                            log.error("Wallet {} is inconsistent: {}", userId, String.join("; ", violations));
                            if (failed.size() < REPORTED_FAILURES) {
                                failed.add(userId);
                            }
                        }
                    }), 4)
                    .then(Mono.fromSupplier(() -> new AuditReport(checked.get(), failures.get(), List.copyOf(failed),
                            startedAt, clock.instant())))
                    .doOnNext(report -> log.info("Audit checked {} wallets, {} inconsistent", report.walletsChecked(),
                            report.failures()));
        });
    }

    /** What is wrong with one wallet, read consistently. */
    public Mono<List<String>> check(String userId) {
        return Mono.defer(() -> read(userId))
                .retryWhen(Retry.backoff(10, Duration.ofMillis(5)).filter(ChangedDuringRead.class::isInstance))
                // A wallet that cannot even be read back (a field that is not a number, a malformed ledger
                // entry) is the corruption the audit exists to report, not a reason to abandon the pass.
                .onErrorResume(error -> !StoreException.isUnavailable(error),
                        error -> Mono.just(List.of("could not be verified: " + error)));
    }

    private Mono<List<String>> read(String userId) {
        Mono<Map<String, String>> wallet = redis.<String, String>opsForHash().entries(keys.wallet(userId))
                .collectMap(Map.Entry::getKey, Map.Entry::getValue);
        Mono<List<LedgerEntry>> entries = ledger.all(userId).collectList();
        Mono<Long> pendingWithdrawals = redis.opsForZSet()
                .range(keys.withdrawals(userId, WithdrawalStatus.PENDING.name()), Range.unbounded())
                .flatMap(id -> redis.<String, String>opsForHash().get(keys.withdrawal(userId, id), "amount"))
                .map(Long::parseLong)
                .reduce(0L, Long::sum);
        Mono<String> versionAfter = redis.<String, String>opsForHash().get(keys.wallet(userId), "version");
        return wallet.flatMap(hash -> Mono.zip(entries, pendingWithdrawals)
                .flatMap(reads -> versionAfter.flatMap(version -> version.equals(hash.get("version"))
                        ? Mono.just(audit(Wallet.of(hash, userId, currency), hash.get("ledgerHead"), reads.getT1(), reads.getT2()))
                        : Mono.error(new ChangedDuringRead()))));
    }

    /** The invariants, and the ledger's chain, whose breaks are counted apart. */
    private List<String> audit(Wallet wallet, @Nullable String head, List<LedgerEntry> entries, long pendingWithdrawals) {
        List<String> violations = new ArrayList<>(WalletAudit.violations(wallet, entries, pendingWithdrawals));
        LedgerChain.Walk chain = new LedgerChain.Walk(new LedgerChain.WalletState(wallet.version(), wallet.balance(),
                wallet.pending(), head));
        entries.forEach(chain::accept);
        Long brokenAt = chain.brokenAt();
        if (brokenAt != null) {
            metrics.chainBreak();
            violations.add("the ledger's chain breaks at version " + brokenAt);
        }
        return violations;
    }

    private static final class ChangedDuringRead extends RuntimeException {
        ChangedDuringRead() {
            super(null, null, false, false);
        }
    }
}
