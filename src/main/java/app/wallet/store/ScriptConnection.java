package app.wallet.store;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The connection the money scripts run on, and the replication wait that follows each of them.
 *
 * <p>A change acknowledged by a master alone is lost if that master fails before a replica has it: the
 * promoted replica never saw it. So each script is sent with a {@code WAIT} for {@code minReplicaAcks}
 * replicas right behind it, in one write on the same connection (WAIT counts the writes of the
 * connection it arrives on, so it cannot go anywhere else); too few acknowledgements within the timeout
 * is a {@link ReplicasShortException}, a 503 whose change may or may not have applied, which the
 * client's Idempotency-Key retry settles. Spring Data Redis has no way to send WAIT on the connection a
 * script ran on, so this is the service's own Lettuce connection, made by the client Spring Boot
 * configured from {@code spring.data.redis.*} (addresses, credentials, TLS, options, reconnect delay).
 *
 * <p>On a cluster the pair goes to the connection of the master that owns the key's slot, by the
 * client's view of the topology (refreshed periodically and on redirects). A node that is no longer
 * master answers MOVED without running the script: a 503 like any other "try later", and a refresh.
 */
public final class ScriptConnection implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ScriptConnection.class);

    private final LettuceConnectionFactory connections;
    private final @Nullable Integer configuredAcks;
    private final Duration ackTimeout;
    private final Duration commandTimeout;
    private final AtomicBoolean renewing = new AtomicBoolean();
    private volatile @Nullable AbstractRedisClient client;
    private volatile @Nullable StatefulConnection<String, String> connection;
    private volatile int minReplicaAcks;

    /**
     * @param configuredAcks replicas that must acknowledge each change; {@code null}: 1 where the Redis has
     *        replicas at start-up, 0 for a lone Redis
     */
    public ScriptConnection(LettuceConnectionFactory connections, @Nullable Integer configuredAcks, Duration ackTimeout,
            Duration commandTimeout) {
        this.connections = connections;
        this.configuredAcks = configuredAcks;
        this.ackTimeout = ackTimeout;
        this.commandTimeout = commandTimeout;
    }

    /**
     * Connects, blocking, while the context starts: after the connection factory, whose client it uses
     * (a restarted factory has a new client, so this connects anew on every start).
     */
    @Override
    public void start() {
        AbstractRedisClient current = connections.getRequiredNativeClient();
        StatefulConnection<String, String> opened = connect(current);
        minReplicaAcks = configuredAcks != null ? configuredAcks : hasReplicas(opened) ? 1 : 0;
        client = current;
        connection = opened;
        log.info("Each money change waits for {} replica acknowledgement(s){}", minReplicaAcks,
                configuredAcks != null ? "" : " (wallet.redis.min-replica-acks unset: found "
                        + (minReplicaAcks == 0 ? "no replicas" : "replicas") + ")");
    }

    @Override
    public void stop() {
        StatefulConnection<String, String> current = connection;
        connection = null;
        if (current != null) {
            current.close();
        }
    }

    @Override
    public boolean isRunning() {
        return connection != null;
    }

    public int minReplicaAcks() {
        return minReplicaAcks;
    }

    /**
     * Runs a script by its SHA-1 (its text when Redis does not have it yet) and, if replicas must
     * acknowledge, WAITs for them; the script's reply, as Lettuce decoded it.
     */
    public Mono<List<Object>> run(LuaScript script, String[] keys, String[] args) {
        StatefulConnection<String, String> current = connection;
        if (current == null) {
            return Mono.error(new RedisException("Currently not connected: the service is stopping or starting"));
        }
        return node(current, keys[0])
                .flatMap(node -> send(node, CommandType.EVALSHA, script.sha1(), keys, args)
                        .onErrorResume(RedisNoScriptException.class,
                                missing -> send(node, CommandType.EVAL, script.text(), keys, args)))
                .timeout(commandTimeout, Mono.error(() -> new RedisCommandTimeoutException(
                        "No reply from Redis within " + commandTimeout.toMillis() + " ms")))
                // Lettuce cancels what is in flight on a node connection it closes (the topology changed) and
                // hands socket errors on bare: the script may or may not have run, like any lost connection.
                .onErrorMap(error -> error instanceof CancellationException || error instanceof IOException,
                        error -> new RedisException("Connection closed before Redis replied: " + error, error))
                .doOnError(error -> {
                    if (String.valueOf(error.getMessage()).startsWith("MOVED") && client instanceof RedisClusterClient cluster) {
                        // Lettuce refreshes on the redirects it follows itself; node connections do not follow them.
                        cluster.refreshPartitionsAsync();
                    }
                });
    }

    private Mono<StatefulRedisConnection<String, String>> node(StatefulConnection<String, String> current, String key) {
        if (current instanceof StatefulRedisClusterConnection<String, String> cluster) {
            RedisClusterNode master = cluster.getPartitions().getMasterBySlot(SlotHash.getSlot(key));
            if (master == null) {
                return Mono.error(new RedisException("CLUSTERDOWN no master serves the slot of " + key));
            }
            return Mono.fromFuture(() -> cluster.getConnectionAsync(master.getUri().getHost(), master.getUri().getPort()));
        }
        @SuppressWarnings("unchecked")
        StatefulRedisConnection<String, String> single = (StatefulRedisConnection<String, String>) current;
        return Mono.just(single);
    }

    /** The script, and the WAIT behind it, in one write: nothing of another request can come between. */
    private Mono<List<Object>> send(StatefulRedisConnection<String, String> node, CommandType type, String script,
            String[] keys, String[] args) {
        CommandArgs<String, String> scriptArgs = new CommandArgs<>(StringCodec.UTF8).add(script).add(keys.length)
                .addKeys(keys).addValues(args);
        AsyncCommand<String, String, List<Object>> run =
                new AsyncCommand<>(new Command<>(type, new NestedMultiOutput<>(StringCodec.UTF8), scriptArgs));
        if (minReplicaAcks == 0) {
            node.dispatch(run);
            return Mono.fromFuture(run);
        }
        AsyncCommand<String, String, Long> wait = new AsyncCommand<>(new Command<>(CommandType.WAIT,
                new IntegerOutput<>(StringCodec.UTF8),
                new CommandArgs<>(StringCodec.UTF8).add(minReplicaAcks).add(ackTimeout.toMillis())));
        node.dispatch(List.of(run, wait));
        return Mono.fromFuture(run).flatMap(reply -> Mono.fromFuture(wait).flatMap(acks -> acks >= minReplicaAcks
                ? Mono.just(reply)
                : Mono.error(new ReplicasShortException(minReplicaAcks, acks, ackTimeout))));
    }

    /**
     * Drops the connection and opens a new one, for when its replies came out of step with its requests
     * (see {@link WalletScripts}). Requests in flight on the old one fail (503); never blocks the caller.
     */
    public void renew() {
        StatefulConnection<String, String> old = connection;
        AbstractRedisClient current = client;
        if (old == null || current == null || !renewing.compareAndSet(false, true)) {
            return;
        }
        Mono.fromCallable(() -> connect(current))
                .subscribeOn(Schedulers.boundedElastic())
                .doFinally(signal -> renewing.set(false))
                .subscribe(fresh -> {
                    if (connection != old) {
                        fresh.closeAsync();
                        return;
                    }
                    connection = fresh;
                    old.closeAsync();
                    log.warn("Opened a new Redis connection for the money scripts and closed the old one");
                }, error -> log.error("Could not renew the money scripts' Redis connection: {}", error.toString()));
    }

    private static StatefulConnection<String, String> connect(AbstractRedisClient client) {
        if (client instanceof RedisClusterClient cluster) {
            return cluster.connect(StringCodec.UTF8);
        }
        return ((RedisClient) client).connect(StringCodec.UTF8);
    }

    /** Whether any master has a replica, by the cluster's topology or the lone master's INFO. */
    private static boolean hasReplicas(StatefulConnection<String, String> connection) {
        if (connection instanceof StatefulRedisClusterConnection<String, String> cluster) {
            return cluster.getPartitions().stream().anyMatch(node -> node.getRole().isReplica());
        }
        @SuppressWarnings("unchecked")
        String info = ((StatefulRedisConnection<String, String>) connection).sync().info("replication");
        return info.lines().anyMatch(line -> line.startsWith("connected_slaves:") && !line.endsWith(":0"));
    }
}
