package app.wallet.event;

import java.time.Instant;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The Kafka event of one committed change, keyed by {@code userId}. A redelivered event carries the
 * same {@code eventId}, which is also the id of the change's ledger entry.
 */
public record WalletEvent(String eventId, String type, String userId, long amount, @Nullable String withdrawalId,
        long walletVersion, long balance, long pending, long totalEarnings, long totalWithdrawn, Instant occurredAt) {

    /** An outbox stream entry, as the scripts write it. */
    static WalletEvent of(Map<?, ?> fields) {
        String withdrawalId = text(fields, "withdrawalId");
        return new WalletEvent(text(fields, "eventId"), text(fields, "type"), text(fields, "userId"),
                number(fields, "amount"), withdrawalId.isEmpty() ? null : withdrawalId, number(fields, "walletVersion"),
                number(fields, "balance"), number(fields, "pending"), number(fields, "totalEarnings"),
                number(fields, "totalWithdrawn"), Instant.ofEpochMilli(number(fields, "occurredAt")));
    }

    private static String text(Map<?, ?> fields, String name) {
        Object value = fields.get(name);
        if (value == null) {
            throw new IllegalArgumentException("Outbox entry without " + name);
        }
        return value.toString();
    }

    private static long number(Map<?, ?> fields, String name) {
        return Long.parseLong(text(fields, name));
    }
}
