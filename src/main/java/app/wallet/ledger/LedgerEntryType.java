package app.wallet.ledger;

/** What a ledger entry records, and so how it moves the wallet's fields when replayed. */
public enum LedgerEntryType {
    /** balance and totalEarnings up. */
    CREDIT,
    /** balance down, pending up. */
    WITHDRAWAL_REQUESTED,
    /** pending down, totalWithdrawn up. */
    WITHDRAWAL_APPROVED,
    /** pending down, balance up. */
    WITHDRAWAL_REJECTED
}
