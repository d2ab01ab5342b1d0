package app.wallet.audit;

import java.util.ArrayList;
import java.util.List;

import app.wallet.ledger.LedgerEntry;
import app.wallet.wallet.Wallet;

/**
 * The invariants of one wallet, checked on a consistent read of the wallet, its ledger and its PENDING
 * withdrawals. Returns what is wrong, empty when all holds.
 */
final class WalletAudit {

    private WalletAudit() {
    }

    static List<String> violations(Wallet wallet, List<LedgerEntry> ledger, long pendingWithdrawals) {
        List<String> violations = new ArrayList<>();
        long balance = wallet.balance();
        long pending = wallet.pending();
        long earnings = wallet.totalEarnings();
        long withdrawn = wallet.totalWithdrawn();
        long version = wallet.version();
        if (balance < 0) {
            violations.add("balance " + balance + " is negative");
        }
        if (pending < 0) {
            violations.add("pending " + pending + " is negative");
        }
        if (balance + pending + withdrawn != earnings) {
            violations.add("balance + pending + totalWithdrawn = " + (balance + pending + withdrawn)
                    + " but totalEarnings = " + earnings);
        }
        if (pending != pendingWithdrawals) {
            violations.add("pending " + pending + " but its PENDING withdrawals add up to " + pendingWithdrawals);
        }
        long[] replayed = new long[4];
        long expectedVersion = 0;
        for (LedgerEntry entry : ledger) {
            long amount = entry.amount();
            switch (entry.type()) {
                case CREDIT -> { replayed[0] += amount; replayed[2] += amount; }
                case WITHDRAWAL_REQUESTED -> { replayed[0] -= amount; replayed[1] += amount; }
                case WITHDRAWAL_APPROVED -> { replayed[1] -= amount; replayed[3] += amount; }
                case WITHDRAWAL_REJECTED -> { replayed[1] -= amount; replayed[0] += amount; }
            }
            expectedVersion++;
            if (entry.version() != expectedVersion || entry.balanceAfter() != replayed[0]
                    || entry.pendingAfter() != replayed[1]) {
                violations.add("ledger entry " + entry.id() + " does not follow from the entries before it");
                break;
            }
        }
        if (replayed[0] != balance || replayed[1] != pending || replayed[2] != earnings || replayed[3] != withdrawn) {
            violations.add("the ledger replays to balance " + replayed[0] + ", pending " + replayed[1] + ", totalEarnings "
                    + replayed[2] + ", totalWithdrawn " + replayed[3]);
        }
        if (ledger.size() != version) {
            violations.add("version " + version + " but " + ledger.size() + " ledger entries");
        }
        return violations;
    }
}
