package app.wallet.store;

import java.util.List;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * What a money script answered, decoded once from its flat reply ({@code {code, replayed, fields...}} as
 * each script's header documents it): the change it made, or why it made none. {@code replayed} marks an
 * answer an idempotency record returned again instead of a change made now.
 */
public sealed interface ScriptOutcome {

    boolean replayed();

    /**
     * The change made, or the refusal as a {@link StoreException.Refused} whose detail names
     * {@code subject}, what was asked for (e.g. "a withdrawal of 500", or a withdrawal id).
     */
    Changed changedOrThrow(String userId, String subject);

    /** The wallet after the change, and the withdrawal it made or settled (null for a credit). */
    record Changed(WalletFields wallet, @Nullable WithdrawalFields withdrawal, boolean replayed) implements ScriptOutcome {

        @Override
        public Changed changedOrThrow(String userId, String subject) {
            return this;
        }

        /** The change in the feature's terms. */
        public <T> Applied<T> as(Function<Changed, T> result) {
            return new Applied<>(result.apply(this), replayed);
        }
    }

    /**
     * A change refused, with what the refusal saw: the wallet for {@link Refusal#INSUFFICIENT_BALANCE} and
     * {@link Refusal#LIMIT_EXCEEDED}, the withdrawal's status for {@link Refusal#WITHDRAWAL_NOT_PENDING}.
     */
    record Refused(Refusal reason, @Nullable WalletFields wallet, @Nullable String withdrawalStatus, @Nullable Remaining remaining,
            boolean replayed) implements ScriptOutcome {

        public Refused(Refusal reason, @Nullable WalletFields wallet, @Nullable String withdrawalStatus, boolean replayed) {
            this(reason, wallet, withdrawalStatus, null, replayed);
        }

        @Override
        public Changed changedOrThrow(String userId, String subject) {
            throw exception(userId, subject);
        }

        /** The refusal in words; {@code subject} names what was asked for. */
        public StoreException.Refused exception(String userId, String subject) {
            String detail = switch (reason) {
                case WALLET_NOT_FOUND -> "No wallet for user " + userId;
                case INSUFFICIENT_BALANCE -> "The balance of " + (wallet == null ? 0 : wallet.balance()) + " does not cover " + subject;
                case LIMIT_EXCEEDED -> "The credit would take the wallet past 2^53 - 1 minor units";
                case WITHDRAWAL_NOT_FOUND -> "No withdrawal " + subject;
                case WITHDRAWAL_NOT_PENDING -> "Withdrawal " + subject + " is already " + withdrawalStatus;
                case IDEMPOTENCY_KEY_REUSED -> "This Idempotency-Key was used with a different request";
                case NOT_DUE -> "Withdrawal " + subject + " has not been pending long enough to expire";
                case WITHDRAWAL_LIMIT_EXCEEDED -> subject.substring(0, 1).toUpperCase() + subject.substring(1)
                        + " would take the wallet past its withdrawal limit for 24 hours";
                case TOO_MANY_ALERTS -> "The wallet holds as many alerts as it may";
            };
            return new StoreException.Refused(reason, detail, remaining, replayed);
        }
    }

    /** What a wallet's withdrawal limits still allow in the 24 hours, each null where there is no such limit. */
    record Remaining(@Nullable Long amount, @Nullable Long count) {
    }

    /** What a change made, in the feature's terms, and whether an idempotency record returned it again. */
    record Applied<T>(T result, boolean replayed) {
    }

    /** A wallet hash's numbers as a script returns them; times in epoch milliseconds. */
    record WalletFields(long balance, long pending, long totalEarnings, long totalWithdrawn, long version,
            long createdAt, long updatedAt) {
    }

    /** A withdrawal hash's fields as a script returns them; times in epoch milliseconds. */
    record WithdrawalFields(String id, long amount, String status, long requestedAt, @Nullable Long processedAt,
            @Nullable String reason) {
    }

    static ScriptOutcome decode(@Nullable Object wire) {
        if (!(wire instanceof List<?> reply) || reply.size() < 2) {
            throw new IllegalStateException("A money script answered " + wire + ", not {code, replayed, ...}");
        }
        int code = (int) number(reply, 0);
        boolean replayed = number(reply, 1) == 1;
        if (code == 0) {
            return new Changed(wallet(reply), reply.size() > 9 ? withdrawal(reply) : null, replayed);
        }
        Refusal reason = Refusal.of(code);
        return switch (reason) {
            case INSUFFICIENT_BALANCE, LIMIT_EXCEEDED -> new Refused(reason, refusedWallet(reply), null, replayed);
            case WITHDRAWAL_NOT_PENDING -> new Refused(reason, null, String.valueOf(reply.get(2)), replayed);
            case WITHDRAWAL_LIMIT_EXCEEDED -> new Refused(reason, null, null,
                    new Remaining(optionalNumber(reply, 2), optionalNumber(reply, 3)), replayed);
            default -> new Refused(reason, null, null, replayed);
        };
    }

    private static WalletFields wallet(List<?> reply) {
        return new WalletFields(number(reply, 2), number(reply, 3), number(reply, 4), number(reply, 5), number(reply, 6),
                number(reply, 7), number(reply, 8));
    }

    /**
     * The wallet a refusal saw, which only its detail and metrics read: a field missing from a damaged hash
     * (a nil reply) reads as 0 there, so the refusal is still answered as one.
     */
    private static WalletFields refusedWallet(List<?> reply) {
        long[] fields = new long[7];
        for (int i = 0; i < fields.length; i++) {
            fields[i] = i + 2 >= reply.size() || reply.get(2 + i) == null ? 0 : number(reply, 2 + i);
        }
        return new WalletFields(fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], fields[6]);
    }

    private static WithdrawalFields withdrawal(List<?> reply) {
        String processedAt = String.valueOf(reply.get(13));
        String reason = String.valueOf(reply.get(14));
        return new WithdrawalFields(String.valueOf(reply.get(9)), number(reply, 10), String.valueOf(reply.get(11)),
                number(reply, 12), processedAt.isEmpty() ? null : Long.valueOf(processedAt), reason.isEmpty() ? null : reason);
    }

    private static @Nullable Long optionalNumber(List<?> reply, int index) {
        Object value = index < reply.size() ? reply.get(index) : null;
        return value == null || String.valueOf(value).isEmpty() ? null : number(reply, index);
    }

    /** Redis hands integers back as {@code Long}; a recorded result may hold them as strings. */
    private static long number(List<?> reply, int index) {
        Object value = reply.get(index);
        return value instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(value));
    }
}
