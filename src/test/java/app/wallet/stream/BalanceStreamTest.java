package app.wallet.stream;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import app.wallet.wallet.Wallet;

import static org.assertj.core.api.Assertions.assertThat;

/** The stream's rules, in virtual time: snapshot first, versions only rise, slow clients skip, heartbeats. */
class BalanceStreamTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Duration HOUR = Duration.ofHours(1);

    @Test
    void aKeepAliveCommentEveryFifteenSecondsAfterTheSnapshot() {
        StepVerifier.withVirtualTime(() -> BalanceStream.events(Flux.never(), Mono.just(wallet(1)), 0, Duration.ofSeconds(15)))
                .assertNext(event -> assertBalance(event, 1))
                .expectNoEvent(Duration.ofSeconds(14))
                .thenAwait(Duration.ofSeconds(1))
                .assertNext(event -> assertThat(event.comment()).isEqualTo("keep-alive"))
                .thenAwait(Duration.ofSeconds(15))
                .assertNext(event -> assertThat(event.comment()).isEqualTo("keep-alive"))
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void aSlowClientSkipsToTheNewestStateAndNeverGoesBack() {
        Sinks.Many<Wallet> live = Sinks.many().multicast().directBestEffort();
        StepVerifier.withVirtualTime(() -> BalanceStream.events(live.asFlux(), Mono.just(wallet(1)), 0, HOUR), 0)
                .thenRequest(1)
                .assertNext(event -> assertBalance(event, 1))
                .then(() -> {
                    for (int version = 2; version <= 100; version++) {
                        live.tryEmitNext(wallet(version));
                    }
                })
                .thenRequest(1)
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
        StepVerifier.withVirtualTime(() -> BalanceStream.events(live, Mono.just(wallet(6)).delayElement(Duration.ofMillis(5)), 0, HOUR))
                .assertNext(event -> assertBalance(event, 7))
                .expectNoEvent(Duration.ofMinutes(1))
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void aReconnectWithTheLastEventIdGetsOnlyNewerStates() {
        Sinks.Many<Wallet> live = Sinks.many().multicast().directBestEffort();
        StepVerifier.withVirtualTime(() -> BalanceStream.events(live.asFlux(), Mono.just(wallet(5)), 5, HOUR))
                .expectSubscription()
                .expectNoEvent(Duration.ofMinutes(1))
                .then(() -> live.tryEmitNext(wallet(6)))
                .assertNext(event -> assertBalance(event, 6))
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void anOlderLastEventIdGetsTheCurrentStateAtOnce() {
        StepVerifier.withVirtualTime(() -> BalanceStream.events(Flux.never(), Mono.just(wallet(9)), 3, HOUR))
                .assertNext(event -> assertBalance(event, 9))
                .thenCancel()
                .verify(TIMEOUT);
    }

    private static void assertBalance(ServerSentEvent<Wallet> event, long version) {
        assertThat(event.event()).isEqualTo("balance");
        assertThat(event.id()).isEqualTo(Long.toString(version));
        assertThat(event.data().version()).isEqualTo(version);
    }

    private static Wallet wallet(long version) {
        return new Wallet("alice", "USD", version * 10, 0, version * 10, 0, version, Instant.EPOCH, Instant.EPOCH);
    }
}
