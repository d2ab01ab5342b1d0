package app.wallet.web;

import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.RedisSystemException;

import static org.assertj.core.api.Assertions.assertThat;

/** Which failures are a Redis outage (503, retry with the key) and which are a fault of ours (500). */
class ProblemResponsesTest {

    @Test
    void aCommandInFlightWhenTheConnectionDroppedIsAnOutage() {
        // What Lettuce completes in-flight commands with, wrapped the way Spring Data Redis hands it on.
        RedisSystemException dropped = new RedisSystemException("Redis exception",
                new RedisException("Connection disconnected"));

        assertThat(ProblemResponses.classify(dropped).code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
        assertThat(ProblemResponses.classify(new RedisException("Connection closed")).code())
                .isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
        assertThat(ProblemResponses.classify(new RedisException("Currently not connected. Commands are rejected.")).code())
                .isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
        assertThat(ProblemResponses.classify(new RedisCommandTimeoutException("Command timed out")).code())
                .isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
    }

    @Test
    void aScriptErrorOrAnUnexpectedReplyIsNot() {
        assertThat(ProblemResponses.classify(new RedisException("ERR user_script:12: attempt to compare nil")).code())
                .isEqualTo(ErrorCode.INTERNAL_ERROR);
        assertThat(ProblemResponses.classify(new ClassCastException("reply")).code()).isEqualTo(ErrorCode.INTERNAL_ERROR);
    }
}
