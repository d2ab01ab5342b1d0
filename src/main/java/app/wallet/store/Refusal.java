package app.wallet.store;

/**
 * Why a money script changed nothing, by the negative code it returns (see each script's header), and the
 * stable name the API and the metrics give it.
 */
public enum Refusal {
    WALLET_NOT_FOUND(-1, "wallet-not-found"),
    INSUFFICIENT_BALANCE(-2, "insufficient-balance"),
    LIMIT_EXCEEDED(-3, "limit-exceeded"),
    WITHDRAWAL_NOT_FOUND(-4, "withdrawal-not-found"),
    WITHDRAWAL_NOT_PENDING(-5, "withdrawal-not-pending"),
    IDEMPOTENCY_KEY_REUSED(-6, "idempotency-key-reused"),
    /** An expiry of a withdrawal not old enough to expire: only the expiry sweep asks for one; "not pending long enough". */
    NOT_DUE(-7, "withdrawal-not-pending"),
    /** A withdrawal over the wallet's daily limits. */
    WITHDRAWAL_LIMIT_EXCEEDED(-8, "withdrawal-limit-exceeded"),
    /** A balance alert more than a wallet may hold (alert-add.lua). */
    TOO_MANY_ALERTS(-9, "too-many-alerts");

    private final int code;
    private final String name;

    Refusal(int code, String name) {
        this.code = code;
        this.name = name;
    }

    /** The refusal's name in the API's problem codes and in {@code wallet_operations_total{outcome}}. */
    public String code() {
        return name;
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
