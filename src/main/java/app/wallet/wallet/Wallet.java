package app.wallet.wallet;

import java.time.Instant;
import java.util.Map;

import app.wallet.store.ScriptReply;

/** A user's wallet; every amount in minor units of {@code currency}. */
public record Wallet(String userId, String currency, long balance, long pending, long totalEarnings,
        long totalWithdrawn, long version, Instant createdAt, Instant updatedAt) {

    /** The wallet fields of a script reply, which start at {@link ScriptReply#WALLET_FIELDS}. */
    public static Wallet of(ScriptReply reply, String userId, String currency) {
        int i = ScriptReply.WALLET_FIELDS;
        return new Wallet(userId, currency, reply.number(i), reply.number(i + 1), reply.number(i + 2),
                reply.number(i + 3), reply.number(i + 4), Instant.ofEpochMilli(reply.number(i + 5)),
                Instant.ofEpochMilli(reply.number(i + 6)));
    }

    /** A wallet hash as stored in Redis. */
    public static Wallet of(Map<String, String> hash, String userId, String currency) {
        return new Wallet(userId, currency, number(hash, "balance"), number(hash, "pending"),
                number(hash, "totalEarnings"), number(hash, "totalWithdrawn"), number(hash, "version"),
                Instant.ofEpochMilli(number(hash, "createdAt")), Instant.ofEpochMilli(number(hash, "updatedAt")));
    }

    private static long number(Map<String, String> hash, String field) {
        String value = hash.get(field);
        return value == null ? 0 : Long.parseLong(value);
    }
}
