package app.wallet.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import app.wallet.store.Applied;
import app.wallet.store.Refusal;
import app.wallet.store.ScriptOutcome;
import app.wallet.web.ApiException;
import app.wallet.web.ProblemResponses;

/**
 * The business metrics of the API contract. A replay is counted as an operation but never again as a
 * refusal, so a client retrying a refused request does not inflate the balance or race counters.
 */
@Component
public class WalletMetrics {

    private final MeterRegistry registry;
    private final Counter insufficientBalance;
    private final Counter racePrevented;
    private final Counter consistencyFailures;

    public WalletMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.insufficientBalance = Counter.builder("wallet.insufficient.balance")
                .description("Withdrawals refused because the balance did not cover them")
                .register(registry);
        this.racePrevented = Counter.builder("wallet.race.condition.prevented")
                .description("Changes an atomic script refused that a read-then-write would have let through")
                .register(registry);
        this.consistencyFailures = Counter.builder("wallet.balance.consistency.check.failures")
                .description("Wallets found breaking an invariant by the consistency audit")
                .register(registry);
    }

    /**
     * Times a money change and counts its outcome: {@code success}, {@code replayed}, or the problem code
     * it was refused with ({@code insufficient-balance}, {@code service-unavailable}, ...).
     */
    public <T> Mono<Applied<T>> observe(String operation, Mono<Applied<T>> change) {
        return Mono.defer(() -> {
            Timer.Sample sample = Timer.start(registry);
            return change
                    .doOnNext(applied -> applied(operation, applied.replayed()))
                    .doOnError(error -> failed(operation, error))
                    .doFinally(signal -> sample.stop(Timer.builder("wallet.operation.duration")
                            .description("Time to answer a wallet money change")
                            .tag("operation", operation)
                            .publishPercentileHistogram()
                            .register(registry)));
        });
    }

    /**
     * Counts what a script refused. {@code requested} is the amount asked for: an insufficient balance
     * where balance + pending still covers it means another withdrawal reserved that money concurrently,
     * which a read-then-write would have missed.
     */
    public void refusal(ScriptOutcome.Refused refused, long requested) {
        if (refused.replayed()) {
            return;
        }
        if (refused.reason() == Refusal.INSUFFICIENT_BALANCE) {
            insufficientBalance.increment();
            ScriptOutcome.WalletFields wallet = refused.wallet();
            if (wallet != null && wallet.balance() + wallet.pending() >= requested) {
                racePrevented.increment();
            }
        }
        else if (refused.reason() == Refusal.WITHDRAWAL_NOT_PENDING) {
            racePrevented.increment();
        }
    }

    /** Counts the outcome of one change of several sent together, which are timed as their request. */
    public void applied(String operation, boolean replayed) {
        count(operation, replayed ? "replayed" : "success");
    }

    /** Counts one change of several sent together that failed or was refused, as {@link #observe} would. */
    public void failed(String operation, Throwable error) {
        ApiException problem = ProblemResponses.classify(error);
        count(operation, problem.replayed() ? "replayed" : problem.code().code());
    }

    private void count(String operation, String outcome) {
        Counter.builder("wallet.operations")
                .description("Wallet money changes by outcome")
                .tag("operation", operation)
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }

    public void consistencyFailure() {
        consistencyFailures.increment();
    }
}
