package app.wallet.store;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.AbstractReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.ReactiveRedisClusterConnection;
import org.springframework.data.redis.connection.ReactiveRedisConnection;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import app.wallet.config.WalletProperties;

/**
 * Whether Redis can be trusted with money now, read from {@code INFO} of every master that serves slots
 * ({@code CONFIG} is often disabled on managed Redis; {@code INFO} is not), at start-up and in readiness.
 *
 * <ul>
 * <li>A {@code maxmemory-policy} other than {@code noeviction} lets Redis delete keys under memory
 * pressure, silently: wallets ({@code allkeys-*}), or idempotency records ({@code volatile-*}: a retry
 * then applies twice). It refuses start-up and readiness, unless {@code wallet.redis.allow-eviction} says
 * someone decided otherwise (logged as an error at every start).</li>
 * <li>Without the append-only file a restart loses the changes since the last snapshot: a warning at
 * start and {@code wallet_redis_durable} 0 (replication may be how a deployment chose to keep them).</li>
 * <li>While a master loads its data set it answers {@code INFO} but refuses every key with
 * {@code LOADING}: not ready, or the instance is sent traffic it can only answer 503.</li>
 * </ul>
 * A cluster master that does not answer counts as fine here: a dead master fails over, and a readiness
 * that went down on every instance for one node would turn a failover into a full outage.
 */
@Component("redisStore")
class RedisStoreHealth extends AbstractReactiveHealthIndicator implements SmartLifecycle {

    static final String NO_EVICTION = "noeviction";

    private static final Logger log = LoggerFactory.getLogger(RedisStoreHealth.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final ReactiveStringRedisTemplate redis;
    private final boolean evictionAllowed;
    private final AtomicInteger durable = new AtomicInteger(1);
    private volatile boolean running;

    /** What one master says of itself; {@code policy} null if its INFO has none. */
    record Master(String node, @Nullable String policy, boolean appendOnly, boolean loading) {

        boolean evicts() {
            return !NO_EVICTION.equals(policy);
        }
    }

    RedisStoreHealth(ReactiveStringRedisTemplate redis, WalletProperties properties, MeterRegistry registry) {
        super("Redis store check failed");
        this.redis = redis;
        this.evictionAllowed = properties.redis().allowEviction();
        Gauge.builder("wallet.redis.durable", durable, AtomicInteger::get)
                .description("1 if every Redis master writes an append-only file, 0 if one may lose its latest changes at a restart")
                .register(registry);
    }

    /** Refuses to serve on a Redis that may evict money; blocks the starting context, never a request. */
    @Override
    public void start() {
        List<Master> masters = masters().collectList().block(TIMEOUT.multipliedBy(2));
        if (masters == null || masters.isEmpty()) {
            throw new IllegalStateException("No Redis master answered INFO: the service cannot check that Redis keeps its data");
        }
        for (Master master : masters) {
            if (master.evicts()) {
                String problem = "Redis " + master.node() + " runs with maxmemory-policy " + master.policy()
                        + ": under memory pressure it may delete wallets (allkeys-*) or idempotency records (volatile-*, "
                        + "a retried change then applies twice). Set maxmemory-policy noeviction";
                if (!evictionAllowed) {
                    throw new IllegalStateException(problem + " (or, knowing why, wallet.redis.allow-eviction=true)");
                }
                log.error("{}. Serving anyway: wallet.redis.allow-eviction=true", problem);
            }
            if (!master.appendOnly()) {
                log.warn("Redis {} writes no append-only file (appendonly no): a restart loses the changes made since its "
                        + "last snapshot, acknowledged ones included, unless a replica has them", master.node());
            }
        }
        recordDurability(masters);
        running = true;
    }

    @Override
    public void stop() {
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** After the connection factory (phase 0), before the web server takes requests. */
    @Override
    public int getPhase() {
        return 1;
    }

    @Override
    protected Mono<Health> doHealthCheck(Health.Builder builder) {
        return masters().collectList()
                .map(masters -> {
                    recordDurability(masters);
                    boolean loading = masters.stream().anyMatch(Master::loading);
                    List<String> evicting = masters.stream().filter(Master::evicts)
                            .map(master -> master.node() + ": " + master.policy()).toList();
                    if (loading) {
                        builder.down().withDetail("loading", true);
                    }
                    else if (!evicting.isEmpty() && !evictionAllowed) {
                        builder.down().withDetail("maxmemoryPolicy", evicting);
                    }
                    else {
                        builder.up();
                    }
                    return builder.withDetail("appendonly", durable.get() == 1).build();
                })
                .timeout(TIMEOUT.plusSeconds(1));
    }

    private void recordDurability(List<Master> masters) {
        durable.set(masters.stream().allMatch(Master::appendOnly) ? 1 : 0);
    }

    /** Every master that serves slots (the one Redis, unless a cluster), as it describes itself. */
    Flux<Master> masters() {
        return redis.execute(connection -> connection instanceof ReactiveRedisClusterConnection cluster
                ? cluster.clusterGetNodes()
                        .filter(node -> node.isMaster() && !node.isMarkedAsFail() && node.getSlotRange().getSlots().size() > 0)
                        .flatMap(node -> Mono.zip(cluster.serverCommands().info(node, "persistence"),
                                        cluster.serverCommands().info(node, "memory"))
                                .map(info -> master(node.getHost() + ":" + node.getPort(), info.getT1(), info.getT2()))
                                .timeout(TIMEOUT)
                                .onErrorResume(error -> {
                                    log.debug("Redis {}:{} did not answer INFO: {}", node.getHost(), node.getPort(), error.toString());
                                    return Mono.empty();
                                }))
                : single(connection));
    }

    private static Mono<Master> single(ReactiveRedisConnection connection) {
        return Mono.zip(connection.serverCommands().info("persistence"), connection.serverCommands().info("memory"))
                .map(info -> master("redis", info.getT1(), info.getT2()));
    }

    private static Master master(String node, Properties persistence, Properties memory) {
        String policy = field(memory, "maxmemory_policy");
        return new Master(node, policy, "1".equals(field(persistence, "aof_enabled")),
                "1".equals(field(persistence, "loading")));
    }

    /** A node's fields may come prefixed with its address ({@code 127.0.0.1:7000.loading}). */
    private static @Nullable String field(Properties info, String name) {
        for (String key : info.stringPropertyNames()) {
            if (key.equals(name) || key.endsWith("." + name)) {
                return info.getProperty(key);
            }
        }
        return null;
    }
}
