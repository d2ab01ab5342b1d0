package app.wallet.stream;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

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

import app.wallet.alert.Alert;
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

    /**
     * A user's sinks, of balances and of alert firings (apart, so the frequent balances reach only their own
     * subscribers), and how many subscriptions use them; changed only inside {@code watched.compute}.
     */
    private static final class Watchers {
        final Sinks.Many<Wallet> sink = Sinks.many().multicast().directBestEffort();
        final Sinks.Many<AlertFired> alerts = Sinks.many().multicast().directBestEffort();
        int streams;
    }

    /** An alert that fired, with the wallet as the change that fired it left it: an {@code alert} event's data. */
    public record AlertFired(Alert alert, Wallet wallet) {
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
        return watch(userId, watchers -> watchers.sink.asFlux());
    }

    /** The user's alert firings from the moment of subscription on, as {@link #changes} delivers balances. */
    public Flux<AlertFired> alerts(String userId) {
        return watch(userId, watchers -> watchers.alerts.asFlux());
    }

    private <T> Flux<T> watch(String userId, Function<Watchers, Flux<T>> sink) {
        return Flux.defer(() -> {
            Watchers watchers = watched.compute(userId, (id, existing) -> {
                Watchers current = existing == null ? new Watchers() : existing;
                current.streams++;
                return current;
            });
            return sink.apply(watchers).doFinally(signal -> watched.compute(userId, (id, existing) -> {
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
        Flux<Object> notified = changes.notices()
                .filter(notice -> !notice.resubscribed() && watched.containsKey(userIdOf(notice.message())))
                .map(notice -> parse(notice.message()));
        // Pub/Sub drops what is published while a subscriber is disconnected. The watched wallets are
        // re-read once the subscription is back (or moved to another master), and now and then, which
        // bounds how long a stream can miss its final state; streams drop what is not newer, so the
        // re-reads cost no client an event.
        // A trigger while a re-read runs is kept (the latest), not dropped: a re-subscription announced
        // then may follow changes the running re-read has already passed.
        Flux<Object> reread = Flux.merge(Flux.interval(resyncInterval, resyncInterval),
                        changes.notices().filter(WalletChanges.Notice::resubscribed))
                .onBackpressureLatest()
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

    private void dispatch(Object notice) {
        if (notice instanceof AlertFired fired) {
            Watchers watchers = watched.get(fired.wallet().userId());
            if (watchers != null) {
                watchers.alerts.tryEmitNext(fired);
            }
        }
        else if (notice instanceof Wallet wallet) {
            Watchers watchers = watched.get(wallet.userId());
            if (watchers != null) {
                watchers.sink.tryEmitNext(wallet);
            }
        }
    }

    /** The user id a notice is about: an alert's notice starts with {@code !}. */
    private static String userIdOf(String message) {
        int from = message.startsWith("!") ? 1 : 0;
        int space = message.indexOf(' ');
        return space < 0 ? message.substring(from) : message.substring(from, space);
    }

    /**
     * A change's notice is {@code userId version balance pending totalEarnings totalWithdrawn createdAt
     * updatedAt}; an alert's is {@code !} and the same, then {@code alertId field above|below threshold name}.
     */
    private Object parse(String message) {
        boolean alert = message.startsWith("!");
        String[] f = (alert ? message.substring(1) : message).split(" ");
        Wallet wallet = new Wallet(f[0], currency, Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]),
                Long.parseLong(f[5]), Long.parseLong(f[1]), Instant.ofEpochMilli(Long.parseLong(f[6])),
                Instant.ofEpochMilli(Long.parseLong(f[7])));
        return alert ? new AlertFired(Alert.of(f[8], f[12], f[9], f[10], Long.parseLong(f[11]), Alert.FIRED), wallet) : wallet;
    }
}
