package app.wallet.ledger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.jspecify.annotations.Nullable;

/**
 * The ledger's hash chain, as the money scripts write it ({@code lua/_common.lua}): each entry carries
 * {@code previousHash}, the chain head before it (40 zeros for the first chained entry), and {@code hash},
 * the SHA-1 of that followed by the entry's fields in a fixed order, each as {@code <bytes>:<value>}. An
 * entry changed, removed or put out of place breaks the chain from there on; the wallet keeps the head.
 *
 * <p>A {@link Walk} takes a wallet's entries oldest first and says where, if anywhere, the ledger stops
 * being what the scripts wrote. Entries written before the chain existed carry no hash: the chain starts
 * at the first entry that does.
 */
public final class LedgerChain {

    /** The previous hash of a chain's first entry. */
    public static final String NO_HASH = "0".repeat(40);

    private LedgerChain() {
    }

    /** The hash an entry carries when {@code previous} is the chain head before it. */
    public static String hash(String previous, LedgerEntry entry) {
        StringBuilder text = new StringBuilder(previous);
        field(text, entry.id());
        field(text, entry.type().name());
        field(text, Long.toString(entry.amount()));
        field(text, entry.withdrawalId());
        field(text, entry.reference());
        field(text, Long.toString(entry.balanceAfter()));
        field(text, Long.toString(entry.pendingAfter()));
        field(text, Long.toString(entry.version()));
        field(text, Long.toString(entry.at().toEpochMilli()));
        field(text, entry.actor());
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.toString().getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JVM", e);
        }
    }

    private static void field(StringBuilder text, @Nullable String value) {
        String present = value == null ? "" : value;
        text.append(present.getBytes(StandardCharsets.UTF_8).length).append(':').append(present);
    }

    /** The wallet's fields a walk is held to: the ledger must end where the wallet stands. */
    public record WalletState(long version, long balance, long pending, @Nullable String head) {
    }

    /**
     * A ledger checked entry by entry, oldest first. Entries newer than the wallet read are not given to
     * it ({@link #wants}), so a change made meanwhile is no break.
     */
    public static final class Walk {

        private final WalletState wallet;
        private long entries;
        private @Nullable Long chainedFrom;
        private @Nullable Long brokenAt;
        private String previous = NO_HASH;
        private @Nullable LedgerEntry last;

        public Walk(WalletState wallet) {
            this.wallet = wallet;
        }

        /** Whether the walk takes this entry: not once broken, nor one newer than the wallet read. */
        public boolean wants(LedgerEntry entry) {
            return brokenAt == null && entry.version() <= wallet.version();
        }

        public void accept(LedgerEntry entry) {
            if (!wants(entry)) {
                return;
            }
            entries++;
            long expected = entries;
            if (entry.version() != expected) {
                brokenAt = expected;   // the entry of that version is missing, or out of place
                return;
            }
            if (entry.hash() == null) {
                if (chainedFrom != null) {
                    brokenAt = expected;   // a chained ledger never goes back to entries without hashes
                }
                last = entry;
                return;
            }
            if (chainedFrom == null) {
                chainedFrom = expected;
            }
            if (!previous.equals(entry.previousHash()) || !hash(previous, entry).equals(entry.hash())) {
                brokenAt = expected;
                return;
            }
            previous = entry.hash();
            last = entry;
        }

        /** The first version at which the ledger is not what the scripts wrote, or null. */
        public @Nullable Long brokenAt() {
            if (brokenAt != null) {
                return brokenAt;
            }
            if (entries != wallet.version()) {
                return entries + 1;   // a change without its entry, at the end
            }
            if (last != null && (last.balanceAfter() != wallet.balance() || last.pendingAfter() != wallet.pending())
                    || chainedFrom != null && !previous.equals(wallet.head())) {
                return wallet.version();   // the wallet no longer stands where its last entry left it
            }
            return null;
        }

        public long entries() {
            return entries;
        }

        /** The version of the first entry with a hash; null if no entry has one yet. */
        public @Nullable Long chainedFrom() {
            return chainedFrom;
        }
    }
}
