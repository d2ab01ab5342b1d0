package app.wallet.wallet;

import java.time.Instant;
import java.util.Map;

import app.wallet.store.ScriptOutcome.WalletFields;

/** A user's wallet; every amount in minor units of {@code currency}. */
public record Wallet(String userId, String currency, long balance, long pending, long totalEarnings,
        long totalWithdrawn, long version, Instant createdAt, Instant updatedAt) {

    /** The wallet a script answered with. */
    public static Wallet of(WalletFields fields, String userId, String currency) {
        return new Wallet(userId, currency, fields.balance(), fields.pending(), fields.totalEarnings(),
                fields.totalWithdrawn(), fields.version(), Instant.ofEpochMilli(fields.createdAt()),
                Instant.ofEpochMilli(fields.updatedAt()));
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
