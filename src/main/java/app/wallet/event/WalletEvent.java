package app.wallet.event;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnore;
import org.jspecify.annotations.Nullable;

import app.wallet.alert.Alert;
import app.wallet.store.StreamEntry;

/**
 * The Kafka event of one committed change, keyed by {@code userId}. A redelivered event carries the
 * same {@code eventId}, which is also the id of the change's ledger entry. {@code actor} is who asked for
 * the change; absent from entries written before actors were recorded. {@code hash} is the change's ledger
 * entry's link in its wallet's chain, so consumers hold a copy of every link; absent from entries written
 * before the chain. {@code alert} is the alert a {@code BALANCE_ALERT} event reports (null for every other
 * type): it carries the wallet as the change that fired it left it, and that change's {@code walletVersion}.
 * {@code traceParent}, the W3C trace
 * context of the request that made the change, travels as the record's {@code traceparent} header, not in
 * the value.
 */
public record WalletEvent(String eventId, String type, String userId, long amount, @Nullable String withdrawalId,
        long walletVersion, long balance, long pending, long totalEarnings, long totalWithdrawn, Instant occurredAt,
        @Nullable String actor, @Nullable String hash, @Nullable Alert alert, @JsonIgnore @Nullable String traceParent) {

    /** An outbox stream entry, as the scripts write it. */
    static WalletEvent of(Map<?, ?> fields) {
        StreamEntry entry = new StreamEntry("Outbox entry", fields);
        // Required in an outbox entry, empty when the change concerns no withdrawal.
        String withdrawalId = entry.text("withdrawalId");
        return new WalletEvent(entry.text("eventId"), entry.text("type"), entry.text("userId"), entry.number("amount"),
                withdrawalId.isEmpty() ? null : withdrawalId, entry.number("walletVersion"), entry.number("balance"),
                entry.number("pending"), entry.number("totalEarnings"), entry.number("totalWithdrawn"),
                Instant.ofEpochMilli(entry.number("occurredAt")), entry.optionalText("actor"), entry.optionalText("hash"),
                alert(entry), entry.optionalText("traceparent"));
    }

    private static @Nullable Alert alert(StreamEntry entry) {
        String id = entry.optionalText("alertId");
        return id == null ? null : Alert.of(id, entry.text("alertName"), entry.text("alertField"),
                entry.text("alertDirection"), entry.number("alertThreshold"), Alert.FIRED);
    }
}
