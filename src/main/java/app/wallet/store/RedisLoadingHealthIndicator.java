package app.wallet.store;

import java.time.Duration;
import java.util.Properties;

import org.springframework.boot.health.contributor.AbstractReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.data.redis.connection.ReactiveRedisClusterConnection;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Down while Redis loads its data set: Redis answers INFO (so Spring's {@code redis} indicator stays up)
 * but refuses every key with {@code LOADING}, so an instance in the readiness group would be sent traffic
 * it can only answer with 503. On a cluster, the masters serving slots are asked, each on its own; one
 * that does not answer counts as not loading (a dead master fails over, and a readiness that went down on
 * every instance for one node would turn a failover into a full outage); replicas are not asked.
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
        return redis.execute(connection -> connection instanceof ReactiveRedisClusterConnection cluster
                        ? cluster.clusterGetNodes()
                                .filter(node -> node.isMaster() && !node.isMarkedAsFail() && node.getSlotRange().getSlots().size() > 0)
                                .flatMap(master -> cluster.serverCommands().info(master, "persistence")
                                        .map(RedisLoadingHealthIndicator::loading)
                                        .timeout(TIMEOUT)
                                        .onErrorReturn(false))
                                .any(Boolean::booleanValue)
                        : connection.serverCommands().info("persistence").map(RedisLoadingHealthIndicator::loading))
                .next()
                .map(loading -> (loading ? builder.down().withDetail("loading", true) : builder.up()).build())
                .timeout(TIMEOUT.plusSeconds(1));
    }

    /** A node's fields may come prefixed with its address ("127.0.0.1:7000.loading"). */
    private static boolean loading(Properties info) {
        return info.stringPropertyNames().stream()
                .anyMatch(name -> (name.equals("loading") || name.endsWith(".loading")) && "1".equals(info.getProperty(name)));
    }
}
