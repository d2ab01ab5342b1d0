package app.wallet.store;

import java.util.List;

import org.jspecify.annotations.Nullable;

/** One page of a newest-first listing; {@code nextCursor} is null on the last page. */
public record Page<T>(List<T> items, @Nullable String nextCursor) {
}
