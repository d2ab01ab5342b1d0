package app.wallet.ledger;

import java.time.Instant;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * One change of a wallet, as its script appended it. Its {@code id} is also the {@code eventId} of the
 * Kafka event the change produced.
 */
public record LedgerEntry(String id, LedgerEntryType type, long amount, @Nullable String withdrawalId,
        @Nullable String reference, long balanceAfter, long pendingAfter, long version, Instant at) {

    /** A ledger stream entry's fields. */
    public static LedgerEntry of(Map<?, ?> fields) {
        return new LedgerEntry(text(fields, "id"), LedgerEntryType.valueOf(text(fields, "type")),
                number(fields, "amount"), optional(fields, "withdrawalId"), optional(fields, "reference"),
                number(fields, "balanceAfter"), number(fields, "pendingAfter"), number(fields, "version"),
                Instant.ofEpochMilli(number(fields, "at")));
    }

    private static String text(Map<?, ?> fields, String name) {
        Object value = fields.get(name);
        if (value == null) {
            throw new IllegalStateException("Ledger entry without " + name);
        }
        return value.toString();
    }

    private static @Nullable String optional(Map<?, ?> fields, String name) {
        Object value = fields.get(name);
        return value == null || value.toString().isEmpty() ? null : value.toString();
    }

    private static long number(Map<?, ?> fields, String name) {
        return Long.parseLong(text(fields, name));
    }
}
