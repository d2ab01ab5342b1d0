package app.wallet.stream;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.http.codec.ServerSentEvent;
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
 * {@code heartbeat} of silence, timed on {@code timer}.
 */
final class BalanceStream {

    private BalanceStream() {
    }

    static Flux<ServerSentEvent<Wallet>> events(Flux<Wallet> live, Mono<Wallet> snapshot, long lastEventId,
            Duration heartbeat, Scheduler timer) {
        AtomicLong newest = new AtomicLong(lastEventId);
        // Filtered as they arrive, before the latest-only buffer, so the buffer only ever holds a newer state.
        Flux<Optional<Wallet>> states = Flux.merge(live, snapshot)
                .filter(wallet -> newest.getAndAccumulate(wallet.version(), Math::max) < wallet.version())
                .map(Optional::of)
                .onBackpressureLatest()
                .startWith(Optional.empty());
        // Each state replaces the previous one's pending delivery and its keep-alive timer: a slow client
        // gets the newest state next, and keep-alives flow only while nothing else does.
        return states.switchMap(state -> {
            Flux<ServerSentEvent<Wallet>> keepAlive = Flux.interval(heartbeat, heartbeat, timer)
                    .onBackpressureDrop()
                    .map(tick -> ServerSentEvent.<Wallet>builder().comment("keep-alive").build());
            return state.map(wallet -> keepAlive.startWith(balance(wallet))).orElse(keepAlive);
        });
    }

    private static ServerSentEvent<Wallet> balance(Wallet wallet) {
        return ServerSentEvent.builder(wallet).event("balance").id(Long.toString(wallet.version())).build();
    }
}
