package app.wallet.support;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import static org.assertj.core.api.Assertions.assertThat;

/** The blocking check is on for every test: a sleep on a Reactor worker is caught, with where it happened. */
class BlockingCallsTest {

    @Test
    void aSleepOnANonBlockingThreadIsRecorded() {
        Mono.fromRunnable(BlockingCallsTest::sleepBriefly)
                .subscribeOn(Schedulers.parallel())
                .block(Duration.ofSeconds(10));

        // Taken here, so the check after the test sees none; any other call recorded meanwhile fails it.
        List<AssertionError> seen = BlockingCalls.drain();
        assertThat(seen).filteredOn(BlockingCallsTest::madeHere).singleElement()
                .satisfies(call -> assertThat(call.getMessage()).contains("java.lang.Thread.sleep").contains("parallel-")
                        .contains("in " + BlockingCallsTest.class.getName() + ".sleepBriefly"));
        assertThat(seen).filteredOn(call -> !madeHere(call)).isEmpty();
    }

    private static boolean madeHere(AssertionError call) {
        return Arrays.stream(call.getStackTrace()).anyMatch(frame -> frame.getMethodName().equals("sleepBriefly"));
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
