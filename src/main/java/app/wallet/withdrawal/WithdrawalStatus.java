package app.wallet.withdrawal;

/** A withdrawal moves once, from PENDING to APPROVED or REJECTED, never again. */
public enum WithdrawalStatus {
    PENDING, APPROVED, REJECTED
}
