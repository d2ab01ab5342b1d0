package app.wallet.store;

/**
 * A money change a script refused, in the domain's terms; the HTTP edge alone turns it into a problem.
 * {@code replayed} marks a refusal an idempotency record returned again.
 */
public final class ChangeRefusedException extends RuntimeException {

    private final Refusal reason;
    private final boolean replayed;

    public ChangeRefusedException(Refusal reason, String detail, boolean replayed) {
        super(detail, null, false, false);
        this.reason = reason;
        this.replayed = replayed;
    }

    /** The refusal in words; {@code subject} names what was asked for, e.g. "a withdrawal of 500" or a withdrawal id. */
    public static ChangeRefusedException of(ScriptOutcome.Refused refused, String userId, String subject) {
        String detail = switch (refused.reason()) {
            case WALLET_NOT_FOUND -> "No wallet for user " + userId;
            case INSUFFICIENT_BALANCE -> "The balance of " + balance(refused) + " does not cover " + subject;
            case LIMIT_EXCEEDED -> "The credit would take the wallet past 2^53 - 1 minor units";
            case WITHDRAWAL_NOT_FOUND -> "No withdrawal " + subject;
            case WITHDRAWAL_NOT_PENDING -> "Withdrawal " + subject + " is already " + refused.withdrawalStatus();
            case IDEMPOTENCY_KEY_REUSED -> "This Idempotency-Key was used with a different request";
            case NOT_DUE -> "Withdrawal " + subject + " has not been pending long enough to expire";
        };
        return new ChangeRefusedException(refused.reason(), detail, refused.replayed());
    }

    private static long balance(ScriptOutcome.Refused refused) {
        return refused.wallet() == null ? 0 : refused.wallet().balance();
    }

    public Refusal reason() {
        return reason;
    }

    public boolean replayed() {
        return replayed;
    }
}
