package app.wallet.withdrawal;

import java.time.Instant;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import app.wallet.store.ScriptReply;
import app.wallet.wallet.Wallet;

/**
 * A request to take money out of a wallet. {@code wallet} is the wallet right after a change made
 * through this withdrawal, and null when the withdrawal is only read.
 */
public record Withdrawal(String id, String userId, long amount, WithdrawalStatus status, Instant requestedAt,
        @Nullable Instant processedAt, @Nullable String reason, @Nullable Wallet wallet) {

    /** The withdrawal fields of a script reply, which start at {@link ScriptReply#WITHDRAWAL_FIELDS}. */
    static Withdrawal of(ScriptReply reply, String userId, String currency) {
        int i = ScriptReply.WITHDRAWAL_FIELDS;
        Long processedAt = reply.optionalNumber(i + 4);
        return new Withdrawal(reply.text(i), userId, reply.number(i + 1), WithdrawalStatus.valueOf(reply.text(i + 2)),
                Instant.ofEpochMilli(reply.number(i + 3)), processedAt == null ? null : Instant.ofEpochMilli(processedAt),
                reply.optionalText(i + 5), Wallet.of(reply, userId, currency));
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
