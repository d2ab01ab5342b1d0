package app.wallet.withdrawal;

import java.time.Instant;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import app.wallet.store.ScriptOutcome.WithdrawalFields;
import app.wallet.wallet.Wallet;

/**
 * A request to take money out of a wallet. {@code wallet} is the wallet right after a change made
 * through this withdrawal, and null when the withdrawal is only read.
 */
public record Withdrawal(String id, String userId, long amount, WithdrawalStatus status, Instant requestedAt,
        @Nullable Instant processedAt, @Nullable String reason, @Nullable Wallet wallet) {

    /** The withdrawal a script made or settled, with its wallet after the change. */
    static Withdrawal of(WithdrawalFields fields, Wallet wallet) {
        Long processedAt = fields.processedAt();
        return new Withdrawal(fields.id(), wallet.userId(), fields.amount(), WithdrawalStatus.valueOf(fields.status()),
                Instant.ofEpochMilli(fields.requestedAt()), processedAt == null ? null : Instant.ofEpochMilli(processedAt),
                fields.reason(), wallet);
    }

    /** A withdrawal hash as stored in Redis. */
    static Withdrawal of(Map<String, String> hash) {
        String processedAt = hash.getOrDefault("processedAt", "");
        String reason = hash.getOrDefault("reason", "");
        return new Withdrawal(hash.get("id"), hash.get("userId"), Long.parseLong(hash.get("amount")),
                WithdrawalStatus.valueOf(hash.get("status")), Instant.ofEpochMilli(Long.parseLong(hash.get("requestedAt"))),
                processedAt.isEmpty() ? null : Instant.ofEpochMilli(Long.parseLong(processedAt)),
                reason.isEmpty() ? null : reason, null);
    }
}
