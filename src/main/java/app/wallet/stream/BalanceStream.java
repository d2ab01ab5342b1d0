package app.wallet.stream;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
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
 * never go back, and its memory stays bounded. A {@code : keep-alive} comment follows
 * {@code heartbeat} of silence (at the next tick of a clock all streams share). Alert firings come as {@code alert} events, each
 * one told.
 */
final class BalanceStream {

    private BalanceStream() {
    }

    /** Alert firings a slow client may have waiting; beyond it the oldest go (alerts are rare, balances are not lost). */
    static final int MAX_WAITING_ALERTS = 32;

    /** The one keep-alive comment, written as the same bytes to every stream. */
    static final ServerSentEvent<?> KEEP_ALIVE = ServerSentEvent.builder().comment("keep-alive").build();

    /**
     * @param ticks a clock's ticks, shared by all streams, a few per {@code heartbeat}: on each, a stream
     *        silent for {@code heartbeat} sends a keep-alive. One timer for all streams, rather than one
     *        re-armed by every event of every stream (10,000 streams of one wallet: 10,000 timers
     *        cancelled and scheduled per change)
     * @param clock what silence is measured on
     */
    static Flux<ServerSentEvent<?>> events(Flux<Wallet> live, Flux<BalanceHub.AlertFired> alerts, Mono<Wallet> snapshot,
            long lastEventId, Duration heartbeat, Flux<?> ticks, Scheduler clock) {
        AtomicLong newest = new AtomicLong(lastEventId);
        AtomicLong lastSent = new AtomicLong(clock.now(TimeUnit.MILLISECONDS));
        // Filtered as they arrive, before the latest-only buffer, so the buffer only ever holds a newer
        // state: a slow client gets the newest state next.
        Flux<ServerSentEvent<?>> balances = Flux.merge(live, snapshot)
                .filter(wallet -> newest.getAndAccumulate(wallet.version(), Math::max) < wallet.version())
                .onBackpressureLatest()
                .map(BalanceStream::balance);
        // Every firing is told, not only the newest; without an id, so Last-Event-ID stays a balance's version.
        Flux<ServerSentEvent<?>> fired = alerts
                .onBackpressureBuffer(MAX_WAITING_ALERTS, dropped -> { }, BufferOverflowStrategy.DROP_OLDEST)
                .map(alert -> ServerSentEvent.builder(alert).event("alert").build());
        long silence = heartbeat.toMillis();
        Flux<ServerSentEvent<?>> keepAlive = ticks.onBackpressureDrop()
                .filter(tick -> clock.now(TimeUnit.MILLISECONDS) - lastSent.get() >= silence)
                .map(tick -> KEEP_ALIVE);
        // Prefetch 1: the merge holds at most one balance ahead of a slow client, so it still skips to the newest.
        return Flux.merge(1, balances, fired, keepAlive)
                .doOnNext(event -> lastSent.set(clock.now(TimeUnit.MILLISECONDS)));
    }

    private static ServerSentEvent<?> balance(Wallet wallet) {
        return ServerSentEvent.builder(wallet).event("balance").id(Long.toString(wallet.version())).build();
    }
}
