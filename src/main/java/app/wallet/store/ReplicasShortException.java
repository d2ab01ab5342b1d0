package app.wallet.store;

import java.time.Duration;

import io.lettuce.core.RedisException;

/**
 * Fewer replicas than required acknowledged a change within the timeout: the master has it, but a
 * failover now could lose it. The change may or may not survive, so the request fails (503) and the
 * client's retry with its Idempotency-Key settles it.
 */
public class ReplicasShortException extends RedisException {

    public ReplicasShortException(int required, long acknowledged, Duration timeout) {
        super("NOREPLICAS " + acknowledged + " of " + required + " replica(s) acknowledged the change within "
                + timeout.toMillis() + " ms");
    }
}
