package app.wallet.web;

import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.data.redis.RedisSystemException;

import static org.assertj.core.api.Assertions.assertThat;

/** Which failures are a Redis outage (503, retry with the key) and which are a fault of ours (500). */
class ProblemsTest {

    @Test
    void aCommandInFlightWhenTheConnectionDroppedIsAnOutage() {
        // What Lettuce completes in-flight commands with, wrapped the way Spring Data Redis hands it on.
        RedisSystemException dropped = new RedisSystemException("Redis exception",
                new RedisException("Connection disconnected"));

        assertThat(Problems.classify(dropped).code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
        assertThat(Problems.classify(new RedisException("Connection closed")).code())
                .isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
        assertThat(Problems.classify(new RedisException("Currently not connected. Commands are rejected.")).code())
                .isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
        assertThat(Problems.classify(new RedisCommandTimeoutException("Command timed out")).code())
                .isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
    }

    @Test
    void aConnectionResetUnderACommandIsAnOutage() {
        RedisSystemException reset = new RedisSystemException("recvAddress(..) failed with error(-104): Connection reset by peer",
                new java.io.IOException("recvAddress(..) failed with error(-104): Connection reset by peer"));

        assertThat(Problems.classify(reset).code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
        assertThat(Problems.classify(new java.io.IOException("Broken pipe")).code())
                .isEqualTo(ErrorCode.INTERNAL_ERROR);
    }

    @ParameterizedTest
    @ValueSource(strings = {"LOADING Redis is loading the dataset in memory", "BUSY Redis is busy running a script.",
            "CLUSTERDOWN The cluster is down", "TRYAGAIN Multiple keys request during rehashing of slot",
            "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
            "READONLY You can't write against a read only replica.", "NOREPLICAS Not enough good replicas to write."})
    void redisSayingTryLaterIsAnOutage(String reply) {
        assertThat(Problems.classify(new RedisSystemException(reply, new RedisException(reply))).code())
                .isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
        assertThat(Problems.classify(new io.lettuce.core.RedisLoadingException(reply)).code())
                .isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
    }

    @Test
    void aScriptErrorOrAnUnexpectedReplyIsNot() {
        assertThat(Problems.classify(new RedisException("ERR user_script:12: attempt to compare nil")).code())
                .isEqualTo(ErrorCode.INTERNAL_ERROR);
        assertThat(Problems.classify(new ClassCastException("reply")).code()).isEqualTo(ErrorCode.INTERNAL_ERROR);
        assertThat(Problems.classify(new RedisException("BUSYGROUP Consumer Group name already exists")).code())
                .isEqualTo(ErrorCode.INTERNAL_ERROR);
    }
}
