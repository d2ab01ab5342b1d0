package app.wallet.stream;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.http.codec.ServerSentEvent;
import reactor.core.publisher.BufferOverflowStrategy;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import app.wallet.wallet.Wallet;

/**
 * Turns a user's live changes and a snapshot into the events of one client's stream.
 *
 * <p>The live changes are subscribed before the snapshot is read, so a change committed after the read
 * is always seen; anything not newer than what the client already has is dropped, so versions only rise.
 * A client that reads slower than changes arrive keeps only the newest state: it may skip versions,
 * never go back, and its memory stays bounded. A {@code : keep-alive} comment follows every
 * {@code heartbeat} of silence, timed on {@code timer}. Alert firings come as {@code alert} events, each
 * one told.
 */
final class BalanceStream {

    private BalanceStream() {
    }

    /** Alert firings a slow client may have waiting; beyond it the oldest go (alerts are rare, balances are not lost). */
    static final int MAX_WAITING_ALERTS = 32;

    static Flux<ServerSentEvent<?>> events(Flux<Wallet> live, Flux<BalanceHub.AlertFired> alerts, Mono<Wallet> snapshot,
            long lastEventId, Duration heartbeat, Scheduler timer) {
        AtomicLong newest = new AtomicLong(lastEventId);
        // Filtered as they arrive, before the latest-only buffer, so the buffer only ever holds a newer state.
        Flux<Optional<Wallet>> states = Flux.merge(live, snapshot)
                .filter(wallet -> newest.getAndAccumulate(wallet.version(), Math::max) < wallet.version())
                .map(Optional::of)
                .onBackpressureLatest()
                .startWith(Optional.empty());
        // Each state replaces the previous one's pending delivery and its keep-alive timer: a slow client
        // gets the newest state next, and keep-alives flow only while nothing else does.
        Flux<ServerSentEvent<?>> balances = states.switchMap(state -> {
            Flux<ServerSentEvent<?>> keepAlive = Flux.interval(heartbeat, heartbeat, timer)
                    .onBackpressureDrop()
                    .map(tick -> ServerSentEvent.builder().comment("keep-alive").build());
            return state.map(wallet -> keepAlive.startWith(balance(wallet))).orElse(keepAlive);
        });
        // Every firing is told, not only the newest; without an id, so Last-Event-ID stays a balance's version.
        Flux<ServerSentEvent<?>> fired = alerts
                .onBackpressureBuffer(MAX_WAITING_ALERTS, dropped -> { }, BufferOverflowStrategy.DROP_OLDEST)
                .map(alert -> ServerSentEvent.builder(alert).event("alert").build());
        // Prefetch 1: the merge holds at most one balance ahead of a slow client, so it still skips to the newest.
        return Flux.merge(1, balances, fired);
    }

    private static ServerSentEvent<?> balance(Wallet wallet) {
        return ServerSentEvent.builder(wallet).event("balance").id(Long.toString(wallet.version())).build();
    }
}
