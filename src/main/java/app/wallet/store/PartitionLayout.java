package app.wallet.store;

import java.time.Duration;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.ScanOptions;
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

    /** Whether any wallet hash has a legacy tag: a scan of every key, made only where no layout is recorded. */
    private boolean hasLegacyData() {
        return Boolean.TRUE.equals(redis.scan(ScanOptions.scanOptions().match(WalletKeys.LEGACY_WALLET_PATTERN).count(1000).build())
                .any(WalletKeys::isLegacyWallet)
                .block(Duration.ofMinutes(5)));
    }

    /** Blocking, once, while the context starts. */
    @Override
    public void afterPropertiesSet() {
        String configured = Integer.toString(keys.partitions());
        if (redis.opsForValue().get(KEY).blockOptional(Duration.ofSeconds(30)).isEmpty() && hasLegacyData()) {
            throw new IllegalStateException("The wallet data in Redis was written by an earlier version ({pN} tags, no "
                    + "recorded layout): stop every instance and move it with the re-partitioning command's --from-legacy "
                    + "(see the README).");
        }
        redis.opsForValue().setIfAbsent(KEY, configured).block(Duration.ofSeconds(30));
        String recorded = redis.opsForValue().get(KEY).block(Duration.ofSeconds(30));
        if (!configured.equals(recorded)) {
            throw new IllegalStateException("wallet.partitions is " + configured + " but the data in Redis is laid out for "
                    + recorded + " (key " + KEY + "). Start with wallet.partitions=" + recorded
                    + ", or stop every instance and change it with the re-partitioning command (see the README).");
        }
    }
}
