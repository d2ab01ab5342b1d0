package app.wallet.store;

import java.time.Duration;

import org.springframework.boot.health.contributor.AbstractReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Down while any Redis node loads its data set: Redis answers INFO (so Spring's {@code redis} indicator
 * stays up) but refuses every key with {@code LOADING}, so an instance in the readiness group would be
 * sent traffic it can only answer with 503. On a cluster INFO is asked of every node.
 */
@Component("redisLoading")
class RedisLoadingHealthIndicator extends AbstractReactiveHealthIndicator {

    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final ReactiveStringRedisTemplate redis;

    RedisLoadingHealthIndicator(ReactiveStringRedisTemplate redis) {
        super("Redis loading check failed");
        this.redis = redis;
    }

    @Override
    protected Mono<Health> doHealthCheck(Health.Builder builder) {
        return redis.execute(connection -> connection.serverCommands().info("persistence"))
                .next()
                .map(info -> {
                    // A cluster's answer prefixes each node's fields with its address: "127.0.0.1:7000.loading".
                    boolean loading = info.stringPropertyNames().stream()
                            .anyMatch(name -> (name.equals("loading") || name.endsWith(".loading")) && "1".equals(info.getProperty(name)));
                    return (loading ? builder.down().withDetail("loading", true) : builder.up()).build();
                })
                .timeout(TIMEOUT);
    }
}
