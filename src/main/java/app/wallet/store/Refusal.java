package app.wallet.store;

/** Why a money script changed nothing, by the negative code it returns (see each script's header). */
public enum Refusal {
    WALLET_NOT_FOUND(-1),
    INSUFFICIENT_BALANCE(-2),
    LIMIT_EXCEEDED(-3),
    WITHDRAWAL_NOT_FOUND(-4),
    WITHDRAWAL_NOT_PENDING(-5),
    IDEMPOTENCY_KEY_REUSED(-6),
    /** An expiry of a withdrawal not old enough to expire: only the expiry sweep asks for one. */
    NOT_DUE(-7);

    private final int code;

    Refusal(int code) {
        this.code = code;
    }

    static Refusal of(int code) {
        for (Refusal refusal : values()) {
            if (refusal.code == code) {
                return refusal;
            }
        }
        throw new IllegalStateException("A script returned the unknown code " + code);
    }
}
