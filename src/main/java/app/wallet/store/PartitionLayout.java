package app.wallet.store;

import java.time.Duration;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Keeps every instance on the partition count the data was written with. Started with another
 * {@code wallet.partitions}, an instance would look for each wallet under the wrong tag: reads answer 404
 * and a credit creates a second wallet beside the first. So the first instance records its count in
 * Redis, and an instance configured otherwise, or started during a re-partitioning, refuses to start.
 */
@Component
public class PartitionLayout implements InitializingBean {

    /** The recorded layout: the partition count, or "repartitioning FROM TO" while the command runs. */
    public static final String KEY = "wallet-config:partitions";

    private final ReactiveStringRedisTemplate redis;
    private final WalletKeys keys;

    PartitionLayout(ReactiveStringRedisTemplate redis, WalletKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /** Blocking, once, while the context starts. */
    @Override
    public void afterPropertiesSet() {
        String configured = Integer.toString(keys.partitions());
        redis.opsForValue().setIfAbsent(KEY, configured).block(Duration.ofSeconds(30));
        String recorded = redis.opsForValue().get(KEY).block(Duration.ofSeconds(30));
        if (!configured.equals(recorded)) {
            throw new IllegalStateException("wallet.partitions is " + configured + " but the data in Redis is laid out for "
                    + recorded + " (key " + KEY + "). Start with wallet.partitions=" + recorded
                    + ", or stop every instance and change it with the re-partitioning command (see the README).");
        }
    }
}
