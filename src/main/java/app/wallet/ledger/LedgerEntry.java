package app.wallet.ledger;

import java.time.Instant;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import app.wallet.store.StreamEntry;

/**
 * One change of a wallet, as its script appended it. Its {@code id} is also the {@code eventId} of the
 * Kafka event the change produced. {@code actor} is who asked for it (a token's subject or client id);
 * entries written before actors were recorded have none. {@code hash} and {@code previousHash} chain the
 * entry to the one before it ({@link LedgerChain}); entries written before the chain have neither.
 */
public record LedgerEntry(String id, LedgerEntryType type, long amount, @Nullable String withdrawalId,
        @Nullable String reference, long balanceAfter, long pendingAfter, long version, Instant at,
        @Nullable String actor, @Nullable String previousHash, @Nullable String hash) {

    public static LedgerEntry of(Map<?, ?> fields) {
        StreamEntry entry = new StreamEntry("Ledger entry", fields);
        return new LedgerEntry(entry.text("id"), LedgerEntryType.valueOf(entry.text("type")), entry.number("amount"),
                entry.optionalText("withdrawalId"), entry.optionalText("reference"), entry.number("balanceAfter"),
                entry.number("pendingAfter"), entry.number("version"), Instant.ofEpochMilli(entry.number("at")),
                entry.optionalText("actor"), entry.optionalText("previousHash"), entry.optionalText("hash"));
    }
}
