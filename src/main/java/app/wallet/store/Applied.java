package app.wallet.store;

/**
 * The result of a money change, and whether an idempotency record returned it again instead of the
 * change being applied now.
 */
public record Applied<T>(T result, boolean replayed) {
}
