package app.wallet.stream;

import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import app.wallet.wallet.Wallet;
import app.wallet.wallet.WalletService;

/**
 * Reads of a wallet for the streams that open on it, coalesced: a stream's read is one that Redis gets
 * after the stream asked, and one read answers every stream that asked while the previous read of that
 * wallet was out. A burst of 10,000 streams opening on one wallet is then a handful of reads, not 10,000
 * (which, on one connection, outlast the command timeout), and each stream still reads only after it
 * subscribed to the changes (see {@link BalanceStream}), so no change falls between the two.
 */
final class SnapshotReads {

    private final WalletService wallets;
    private final ConcurrentHashMap<String, Reading> reading = new ConcurrentHashMap<>();

    /** A wallet's read out, and the streams waiting for the next one. Changed only inside {@code reading.compute}. */
    private static final class Reading {
        Sinks.@Nullable One<Wallet> next;
    }

    SnapshotReads(WalletService wallets) {
        this.wallets = wallets;
    }

    /** The wallet, read after this call; empty if there is no such wallet. */
    Mono<Wallet> read(String userId) {
        return Mono.defer(() -> {
            @SuppressWarnings("unchecked")
            Sinks.One<Wallet>[] mine = new Sinks.One[1];
            boolean[] first = {false};
            reading.compute(userId, (id, current) -> {
                if (current == null) {
                    first[0] = true;
                    mine[0] = Sinks.one();
                    return new Reading();
                }
                if (current.next == null) {
                    current.next = Sinks.one();
                }
                mine[0] = current.next;
                return current;
            });
            if (first[0]) {
                start(userId, mine[0]);
            }
            return mine[0].asMono();
        });
    }

    /** Reads for {@code waiting}; then, if more streams asked meanwhile, once more for them. */
    private void start(String userId, Sinks.One<Wallet> waiting) {
        wallets.find(userId).subscribe(
                waiting::tryEmitValue,
                error -> {
                    waiting.tryEmitError(error);
                    next(userId);
                },
                () -> {
                    waiting.tryEmitEmpty();   // nothing after a value
                    next(userId);
                });
    }

    private void next(String userId) {
        @SuppressWarnings("unchecked")
        Sinks.One<Wallet>[] following = new Sinks.One[1];
        reading.compute(userId, (id, current) -> {
            if (current == null || current.next == null) {
                return null;
            }
            following[0] = current.next;
            current.next = null;
            return current;
        });
        if (following[0] != null) {
            start(userId, following[0]);
        }
    }
}
