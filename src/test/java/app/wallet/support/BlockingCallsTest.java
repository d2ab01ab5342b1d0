package app.wallet.support;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import static org.assertj.core.api.Assertions.assertThat;

/** The blocking check is on for every test: a sleep on a Reactor worker is caught, with where it happened. */
class BlockingCallsTest {

    @Test
    void aSleepOnANonBlockingThreadIsRecorded() {
        BlockingCalls.drain();
        Mono.fromRunnable(BlockingCallsTest::sleepBriefly)
                .subscribeOn(Schedulers.parallel())
                .block(Duration.ofSeconds(10));

        assertThat(BlockingCalls.drain()).singleElement().satisfies(call -> {
            assertThat(call.getMessage()).contains("java.lang.Thread.sleep").contains("parallel-");
            assertThat(call.getStackTrace()).anySatisfy(frame -> assertThat(frame.getMethodName()).isEqualTo("sleepBriefly"));
        });
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(1);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
