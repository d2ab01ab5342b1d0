package app.wallet.event;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnore;
import org.jspecify.annotations.Nullable;

import app.wallet.store.StreamEntry;

/**
 * The Kafka event of one committed change, keyed by {@code userId}. A redelivered event carries the
 * same {@code eventId}, which is also the id of the change's ledger entry. {@code actor} is who asked for
 * the change; absent from entries written before actors were recorded. {@code traceParent}, the W3C trace
 * context of the request that made the change, travels as the record's {@code traceparent} header, not in
 * the value.
 */
public record WalletEvent(String eventId, String type, String userId, long amount, @Nullable String withdrawalId,
        long walletVersion, long balance, long pending, long totalEarnings, long totalWithdrawn, Instant occurredAt,
        @Nullable String actor, @JsonIgnore @Nullable String traceParent) {

    /** An outbox stream entry, as the scripts write it. */
    static WalletEvent of(Map<?, ?> fields) {
        StreamEntry entry = new StreamEntry("Outbox entry", fields);
        // Required in an outbox entry, empty when the change concerns no withdrawal.
        String withdrawalId = entry.text("withdrawalId");
        return new WalletEvent(entry.text("eventId"), entry.text("type"), entry.text("userId"), entry.number("amount"),
                withdrawalId.isEmpty() ? null : withdrawalId, entry.number("walletVersion"), entry.number("balance"),
                entry.number("pending"), entry.number("totalEarnings"), entry.number("totalWithdrawn"),
                Instant.ofEpochMilli(entry.number("occurredAt")), entry.optionalText("actor"), entry.optionalText("traceparent"));
    }
}
