package app.wallet.stream;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import app.wallet.config.WalletProperties;
import app.wallet.store.WalletChanges;
import app.wallet.wallet.Wallet;
import app.wallet.wallet.WalletService;

/**
 * The instance's wallet change notices ({@link WalletChanges}), fanned out in memory to the streams open
 * on this instance.
 *
 * <p>Only users with an open stream have an entry; the last stream to close removes it.
 */
@Component
public class BalanceHub implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(BalanceHub.class);

    private final WalletChanges changes;
    private final String currency;
    private final WalletService wallets;
    private final Duration resyncInterval;
    private final ConcurrentHashMap<String, Watchers> watched = new ConcurrentHashMap<>();
    private volatile @Nullable Disposable subscription;

    /** A user's sink and how many streams use it; changed only inside {@code watched.compute}. */
    private static final class Watchers {
        final Sinks.Many<Wallet> sink = Sinks.many().multicast().directBestEffort();
        int streams;
    }

    BalanceHub(WalletChanges changes, WalletProperties properties, WalletService wallets, MeterRegistry registry) {
        this.changes = changes;
        this.currency = properties.currency();
        this.wallets = wallets;
        this.resyncInterval = properties.stream().resyncInterval();
        Gauge.builder("wallet.stream.watched.users", watched, ConcurrentHashMap::size)
                .description("Users with at least one open balance stream on this instance").register(registry);
    }

    /**
     * The user's changes from the moment of subscription on, for as long as the subscriber stays. Every
     * subscriber gets every change it has demand for; a slow one must bound itself (see {@link BalanceStream}).
     */
    public Flux<Wallet> changes(String userId) {
        return Flux.defer(() -> {
            Watchers watchers = watched.compute(userId, (id, existing) -> {
                Watchers current = existing == null ? new Watchers() : existing;
                current.streams++;
                return current;
            });
            return watchers.sink.asFlux().doFinally(signal -> watched.compute(userId, (id, existing) -> {
                if (existing == null || --existing.streams == 0) {
                    return null;
                }
                return existing;
            }));
        });
    }

    /** Whether any stream of this user is open on this instance. */
    public boolean isWatched(String userId) {
        return watched.containsKey(userId);
    }

    @Override
    public void start() {
        // Every change of every wallet is noticed here; only those of watched wallets are read further.
        Flux<Wallet> notified = changes.notices()
                .filter(notice -> !notice.resubscribed() && watched.containsKey(userIdOf(notice.message())))
                .map(notice -> parse(notice.message()));
        // Pub/Sub drops what is published while a subscriber is disconnected. Re-reading the watched
        // wallets now and then bounds how long a stream can miss its final state; streams drop what
        // is not newer, so the re-reads cost no client an event.
        Flux<Wallet> reread = Flux.interval(resyncInterval, resyncInterval)
                .onBackpressureDrop()
                .concatMap(tick -> Flux.fromIterable(List.copyOf(watched.keySet()))
                        .flatMap(userId -> wallets.find(userId).onErrorResume(error -> {
                            log.debug("Could not re-read wallet {} for its streams: {}", userId, error.toString());
                            return Mono.empty();
                        }), 8), 0);
        // One merged flux, so the sinks are only ever emitted to from one thread at a time.
        subscription = Flux.merge(notified, reread).subscribe(this::dispatch);
    }

    @Override
    public void stop() {
        Disposable current = subscription;
        subscription = null;
        if (current != null) {
            current.dispose();
        }
    }

    @Override
    public boolean isRunning() {
        return subscription != null;
    }

    private void dispatch(Wallet wallet) {
        Watchers watchers = watched.get(wallet.userId());
        if (watchers != null) {
            watchers.sink.tryEmitNext(wallet);
        }
    }

    private static String userIdOf(String message) {
        int space = message.indexOf(' ');
        return space < 0 ? message : message.substring(0, space);
    }

    /** A notification is {@code userId version balance pending totalEarnings totalWithdrawn createdAt updatedAt}. */
    private Wallet parse(String message) {
        String[] f = message.split(" ");
        return new Wallet(f[0], currency, Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]),
                Long.parseLong(f[5]), Long.parseLong(f[1]), Instant.ofEpochMilli(Long.parseLong(f[6])),
                Instant.ofEpochMilli(Long.parseLong(f[7])));
    }
}
