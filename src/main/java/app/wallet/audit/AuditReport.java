package app.wallet.audit;

import java.time.Instant;
import java.util.List;

/**
 * One pass of the audit.
 *
 * @param failedWallets user ids of the failing wallets, the first hundred
 */
public record AuditReport(long walletsChecked, long failures, List<String> failedWallets, Instant startedAt,
        Instant finishedAt) {
}
