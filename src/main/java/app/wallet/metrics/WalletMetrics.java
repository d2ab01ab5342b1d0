package app.wallet.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

import app.wallet.store.Refusal;
import app.wallet.store.ScriptOutcome;

/**
 * The business metrics of the API contract beyond the operations themselves (which the script runner
 * times and counts). A replay is never counted again as a refusal, so a client retrying a refused
 * request does not inflate the balance or race counters.
 */
@Component
public class WalletMetrics {

    private final Counter insufficientBalance;
    private final Counter racePrevented;
    private final Counter consistencyFailures;
    private final Counter chainBreaks;

    public WalletMetrics(MeterRegistry registry) {
        this.insufficientBalance = Counter.builder("wallet.insufficient.balance")
                .description("Withdrawals refused because the balance did not cover them")
                .register(registry);
        this.racePrevented = Counter.builder("wallet.race.condition.prevented")
                .description("Changes an atomic script refused that a read-then-write would have let through")
                .register(registry);
        this.consistencyFailures = Counter.builder("wallet.balance.consistency.check.failures")
                .description("Wallets found breaking an invariant by the consistency audit")
                .register(registry);
        this.chainBreaks = Counter.builder("wallet.ledger.chain.breaks")
                .description("Wallets whose ledger chain the consistency audit found broken (an entry changed, removed or out of place)")
                .register(registry);
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

    public void consistencyFailure() {
        consistencyFailures.increment();
    }

    public void chainBreak() {
        chainBreaks.increment();
    }
}
