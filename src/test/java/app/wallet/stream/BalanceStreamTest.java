package app.wallet.stream;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

import app.wallet.wallet.Wallet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stream's rules, on a virtual clock: snapshot first, versions only rise, slow clients skip, heartbeats.
 *
 * <p>The clock is this test's own, handed to the stream, never installed as Reactor's global schedulers:
 * the application context other tests leave running in this JVM times its own work on those.
 * Advancing the clock runs what fell due on the calling thread, so an event it caused is already
 * delivered when the next expectation is checked.
 */
class BalanceStreamTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Duration HOUR = Duration.ofHours(1);
    /** Real time allowed for an event that should not come; anything due has been delivered already. */
    private static final Duration NOTHING_MORE = Duration.ofMillis(50);

    private final VirtualTimeScheduler clock = VirtualTimeScheduler.create();

    @Test
    void aKeepAliveCommentEveryFifteenSecondsAfterTheSnapshot() {
        StepVerifier.create(BalanceStream.events(Flux.never(), Flux.never(), Mono.just(wallet(1)), 0, Duration.ofSeconds(15), ticks(Duration.ofSeconds(15)), clock))
                .assertNext(event -> assertBalance(event, 1))
                .then(() -> clock.advanceTimeBy(Duration.ofSeconds(14)))
                .expectNoEvent(NOTHING_MORE)
                .then(() -> clock.advanceTimeBy(Duration.ofSeconds(1)))
                .assertNext(event -> assertThat(event.comment()).isEqualTo("keep-alive"))
                .then(() -> clock.advanceTimeBy(Duration.ofSeconds(15)))
                .assertNext(event -> assertThat(event.comment()).isEqualTo("keep-alive"))
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void anEventPutsTheNextKeepAliveOffUntilAHeartbeatOfSilence() {
        Sinks.Many<Wallet> live = Sinks.many().multicast().directBestEffort();
        StepVerifier.create(BalanceStream.events(live.asFlux(), Flux.never(), Mono.just(wallet(1)), 0, Duration.ofSeconds(15),
                        ticks(Duration.ofSeconds(15)), clock))
                .assertNext(event -> assertBalance(event, 1))
                .then(() -> clock.advanceTimeBy(Duration.ofSeconds(12)))
                .then(() -> live.tryEmitNext(wallet(2)))
                .assertNext(event -> assertBalance(event, 2))
                // Ticks at 15, 20 and 25 find 3, 8 and 13 s of silence; the one at 30 finds 18.
                .then(() -> clock.advanceTimeBy(Duration.ofSeconds(17)))
                .expectNoEvent(NOTHING_MORE)
                .then(() -> clock.advanceTimeBy(Duration.ofSeconds(1)))
                .assertNext(event -> assertThat(event.comment()).isEqualTo("keep-alive"))
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void aSlowClientSkipsToTheNewestStateAndNeverGoesBack() {
        Sinks.Many<Wallet> live = Sinks.many().multicast().directBestEffort();
        StepVerifier.create(BalanceStream.events(live.asFlux(), Flux.never(), Mono.just(wallet(1)), 0, HOUR, ticks(HOUR), clock), 0)
                .thenRequest(1)
                .assertNext(event -> assertBalance(event, 1))
                .then(() -> {
                    for (int version = 2; version <= 100; version++) {
                        live.tryEmitNext(wallet(version));
                    }
                })
                // One state was on its way already (the one slot where balances meet alert events);
                // of the 98 after it, the client gets the newest only.
                .thenRequest(2)
                .assertNext(event -> assertBalance(event, 2))
                .assertNext(event -> assertBalance(event, 100))
                .then(() -> {
                    live.tryEmitNext(wallet(50));
                    live.tryEmitNext(wallet(101));
                })
                .thenRequest(1)
                .assertNext(event -> assertBalance(event, 101))
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void aChangeSeenBeforeTheSnapshotWinsOverIt() {
        Flux<Wallet> live = Flux.just(wallet(7)).concatWith(Flux.never());
        Mono<Wallet> lateSnapshot = Mono.just(wallet(6)).delayElement(Duration.ofMillis(5), clock);
        StepVerifier.create(BalanceStream.events(live, Flux.never(), lateSnapshot, 0, HOUR, ticks(HOUR), clock))
                .assertNext(event -> assertBalance(event, 7))
                .then(() -> clock.advanceTimeBy(Duration.ofMinutes(1)))
                .expectNoEvent(NOTHING_MORE)
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void aReconnectWithTheLastEventIdGetsOnlyNewerStates() {
        Sinks.Many<Wallet> live = Sinks.many().multicast().directBestEffort();
        StepVerifier.create(BalanceStream.events(live.asFlux(), Flux.never(), Mono.just(wallet(5)), 5, HOUR, ticks(HOUR), clock))
                .expectSubscription()
                .then(() -> clock.advanceTimeBy(Duration.ofMinutes(1)))
                .expectNoEvent(NOTHING_MORE)
                .then(() -> live.tryEmitNext(wallet(6)))
                .assertNext(event -> assertBalance(event, 6))
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void anOlderLastEventIdGetsTheCurrentStateAtOnce() {
        StepVerifier.create(BalanceStream.events(Flux.never(), Flux.never(), Mono.just(wallet(9)), 3, HOUR, ticks(HOUR), clock))
                .assertNext(event -> assertBalance(event, 9))
                .thenCancel()
                .verify(TIMEOUT);
    }

    private static void assertBalance(ServerSentEvent<?> event, long version) {
        assertThat(event.event()).isEqualTo("balance");
        assertThat(event.id()).isEqualTo(Long.toString(version));
        assertThat(((Wallet) event.data()).version()).isEqualTo(version);
    }

    /** The streams' shared clock, three ticks a heartbeat, as the route makes it. */
    private Flux<Long> ticks(Duration heartbeat) {
        return Flux.interval(heartbeat.dividedBy(3), clock).share();
    }

    private static Wallet wallet(long version) {
        return new Wallet("alice", "USD", version * 10, 0, version * 10, 0, version, Instant.EPOCH, Instant.EPOCH);
    }
}
