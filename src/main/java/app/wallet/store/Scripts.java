package app.wallet.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import io.micrometer.tracing.handler.TracingObservationHandler;
import io.micrometer.tracing.propagation.Propagator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * Runs the money scripts: one {@code EVALSHA} round trip each ({@code EVAL} with the text when Redis
 * does not have it yet), answered once its replicas have the change, its reply decoded into a
 * {@link ScriptOutcome}, timed and counted by operation and outcome
 * ({@code wallet_operation_duration_seconds}, {@code wallet_operations_total}).
 *
 * <p>A change acknowledged by a master alone is lost if that master fails before a replica has it: the
 * promoted replica never saw it. So a change is answered only once {@code minReplicaAcks} replicas have
 * it ({@link ReplicaFences}); too few within the timeout is a {@link StoreException.Unavailable}, a 503
 * whose change may or may not have applied, which the client's Idempotency-Key retry settles. The wait
 * needs connection-level control that Spring Data Redis does not give, so these are the service's own
 * Lettuce connections, made by the client Spring Boot configured from {@code spring.data.redis.*}
 * (addresses, credentials, TLS, options, reconnect delay): one for scripts, one for the fences.
 *
 * <p>On a cluster a script goes to the node connection of the master that owns its first key's slot, by
 * the client's view of the topology (refreshed periodically and on redirects). A node that is no longer
 * master answers MOVED without running the script: a 503 like any other "try later", and a refresh.
 *
 * <p>Every script's last two arguments are the request's W3C {@code traceparent} ("" without a trace),
 * which its event carries so a consumer's span joins the request's trace, and the actor who asked.
 */
public final class Scripts implements SmartLifecycle {

    /** The largest value a money field may hold: Lua numbers are doubles, exact only up to 2^53 - 1. */
    public static final long MAX_MONEY = (1L << 53) - 1;

    private static final Logger log = LoggerFactory.getLogger(Scripts.class);
    private static final String SINGLE = "single";

    private final LettuceConnectionFactory connections;
    private final @Nullable Integer configuredAcks;
    private final Duration ackTimeout;
    private final Duration commandTimeout;
    private final @Nullable Propagator propagator;
    private final MeterRegistry registry;
    private final List<LuaScript> preloaded;
    private final Map<String, Timer> timers = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Counter> counters = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile @Nullable Connected connected;

    /** The connections of one start, and the fences of the replica count settled then. */
    private record Connected(AbstractRedisClient client, StatefulConnection<String, String> scripts,
            StatefulConnection<String, String> fenceConnection, int minReplicaAcks, ReplicaFences fences) {

        void close() {
            scripts.closeAsync();
            fenceConnection.closeAsync();
        }
    }

    /**
     * @param configuredAcks replicas that must acknowledge each change; {@code null}: 1 on a cluster or a
     *        master with replicas at start-up, 0 for a lone Redis
     */
    public Scripts(LettuceConnectionFactory connections, @Nullable Integer configuredAcks, Duration ackTimeout,
            Duration commandTimeout, @Nullable Propagator propagator, MeterRegistry registry, List<LuaScript> preloaded) {
        // A change may wait for the fence in flight and then its own: each up to the ack timeout.
        if (commandTimeout.compareTo(ackTimeout.multipliedBy(2)) <= 0) {
            throw new IllegalArgumentException("spring.data.redis.timeout (" + commandTimeout + ") must be more than twice "
                    + "wallet.redis.replica-ack-timeout (" + ackTimeout + ")");
        }
        this.connections = connections;
        this.configuredAcks = configuredAcks;
        this.ackTimeout = ackTimeout;
        this.commandTimeout = commandTimeout;
        this.propagator = propagator;
        this.registry = registry;
        this.preloaded = List.copyOf(preloaded);
    }

    /**
     * Runs a money script for {@code operation} (its name in the metrics); {@code actor}, who asked for the
     * change, goes with it into the ledger and the event, and the request's trace parent into the event.
     */
    public Mono<ScriptOutcome> run(String operation, LuaScript script, List<String> keys, List<String> args, String actor) {
        return Mono.deferContextual(context -> {
            Connected current = connected;
            if (current == null) {
                return Mono.error(notConnected());
            }
            String[] keyArray = keys.toArray(String[]::new);
            String[] argArray = withCaller(args, traceParent(context), actor);
            long started = System.nanoTime();
            return node(current.scripts(), keyArray[0])
                    .flatMap(node -> settled(current, node, script, keyArray, argArray,
                            send(node.connection(), CommandType.EVALSHA, script.sha1(), keyArray, argArray)))
                    .map(ScriptOutcome::decode)
                    .doOnEach(signal -> {
                        if (signal.isOnNext()) {
                            count(operation, outcome(signal.get()));
                        }
                        else if (signal.isOnError()) {
                            count(operation, outcome(signal.getThrowable()));
                        }
                        else {
                            return;
                        }
                        timer(operation).record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
                    });
        });
    }

    /**
     * Runs a money script once per argument set, pipelined: the runs bound for one master are written to its
     * connection together, one write and flush for all of them. Each run is still its own atomic script with
     * its own replication wait; the outcomes come in the order of the argument sets, each counted (the
     * request carrying them is timed by the HTTP server's own metrics).
     */
    public Flux<ScriptOutcome> runAll(String operation, LuaScript script, List<List<String>> keys, List<List<String>> args,
            String actor) {
        return Flux.deferContextual(context -> {
            Connected current = connected;
            if (current == null) {
                return Flux.error(notConnected());
            }
            String traceParent = traceParent(context);
            return Flux.range(0, keys.size())
                    .concatMap(i -> node(current.scripts(), keys.get(i).get(0)))
                    .collectList()
                    .flatMapMany(nodes -> {
                        Map<String, List<AsyncCommand<String, String, List<Object>>>> batches = new LinkedHashMap<>();
                        List<Mono<List<Object>>> replies = new ArrayList<>(keys.size());
                        for (int i = 0; i < keys.size(); i++) {
                            Node node = nodes.get(i);
                            String[] keyArray = keys.get(i).toArray(String[]::new);
                            String[] argArray = withCaller(args.get(i), traceParent, actor);
                            AsyncCommand<String, String, List<Object>> command =
                                    command(CommandType.EVALSHA, script.sha1(), keyArray, argArray);
                            batches.computeIfAbsent(node.name(), name -> new ArrayList<>()).add(command);
                            replies.add(settled(current, node, script, keyArray, argArray, Mono.fromFuture(command)));
                        }
                        Map<String, Node> byName = new HashMap<>();
                        nodes.forEach(node -> byName.put(node.name(), node));
                        batches.forEach((name, commands) -> byName.get(name).connection().dispatch(commands));
                        return Flux.mergeSequential(replies, Math.max(1, replies.size()), 1);
                    })
                    .map(ScriptOutcome::decode)
                    .doOnNext(outcome -> count(operation, outcome(outcome)))
                    .doOnError(error -> count(operation, outcome(error)));
        });
    }

    /**
     * A sent script's reply once its change is safe: sent again as text if Redis did not have it, then the
     * replication wait; failures that mean Redis cannot answer now made {@link StoreException.Unavailable}.
     */
    private Mono<List<Object>> settled(Connected current, Node node, LuaScript script, String[] keys, String[] args,
            Mono<List<Object>> sent) {
        return sent
                .onErrorResume(RedisNoScriptException.class,
                        missing -> send(node.connection(), CommandType.EVAL, script.text(), keys, args))
                .flatMap(reply -> current.minReplicaAcks() == 0 ? Mono.just(reply)
                        // The fence goes to the node that ran the script, whatever the topology says
                        // by now: a master demoted meanwhile answers MOVED (503) instead of its
                        // successor vouching for a change it never had.
                        : named(current.fenceConnection(), node.name())
                                .flatMap(fence -> current.fences().await(node.name(), fence.connection(),
                                        WalletKeys.replicationFence(keys[0])))
                                .thenReturn(reply))
                .timeout(commandTimeout, Mono.error(() -> new RedisCommandTimeoutException(
                        "No reply from Redis within " + commandTimeout.toMillis() + " ms")))
                .doOnError(error -> {
                    if (String.valueOf(error.getMessage()).startsWith("MOVED") && current.client() instanceof RedisClusterClient cluster) {
                        // Lettuce refreshes on the redirects it follows itself; node connections do not follow them.
                        cluster.refreshPartitionsAsync();
                    }
                })
                .onErrorMap(StoreException::translate);
    }

    private static String[] withCaller(List<String> args, String traceParent, String actor) {
        String[] all = args.toArray(new String[args.size() + 2]);
        all[args.size()] = traceParent;
        all[args.size() + 1] = actor;
        return all;
    }

    /** The W3C traceparent of the request's span, from the observation the HTTP server put in the context. */
    private String traceParent(ContextView context) {
        Observation observation = context.getOrDefault(ObservationThreadLocalAccessor.KEY, null);
        if (propagator == null || observation == null) {
            return "";
        }
        TracingObservationHandler.TracingContext tracing = observation.getContext().get(TracingObservationHandler.TracingContext.class);
        if (tracing == null || tracing.getSpan() == null) {
            return "";
        }
        Map<String, String> carrier = new HashMap<>(4);
        propagator.inject(tracing.getSpan().context(), carrier, Map::put);
        return carrier.getOrDefault("traceparent", "");
    }

    /** {@code success}, {@code replayed}, or the refusal's or failure's problem code. */
    private static String outcome(@Nullable Object result) {
        if (result instanceof ScriptOutcome outcome) {
            return outcome.replayed() ? "replayed"
                    : outcome instanceof ScriptOutcome.Refused refused ? refused.reason().code() : "success";
        }
        return result instanceof Throwable error && StoreException.isUnavailable(error) ? "service-unavailable" : "internal-error";
    }

    private void count(String operation, String outcome) {
        counters.computeIfAbsent(operation + ' ' + outcome, key -> Counter.builder("wallet.operations")
                        .description("Wallet money changes by outcome")
                        .tag("operation", operation)
                        .tag("outcome", outcome)
                        .register(registry))
                .increment();
    }

    private Timer timer(String operation) {
        return timers.computeIfAbsent(operation, name -> Timer.builder("wallet.operation.duration")
                .description("Time to answer a wallet money change")
                .tag("operation", name)
                .publishPercentileHistogram()
                .register(registry));
    }

    private static StoreException notConnected() {
        return new StoreException.Unavailable("Currently not connected: the service is stopping or starting", null);
    }

    /** A master's connection, named {@code host:port} ("single" for a lone Redis). */
    private record Node(String name, StatefulRedisConnection<String, String> connection) {
    }

    /** The connection, through {@code via}, to the master of {@code key}'s slot. */
    private static Mono<Node> node(StatefulConnection<String, String> via, String key) {
        if (via instanceof StatefulRedisClusterConnection<String, String> cluster) {
            RedisClusterNode master = cluster.getPartitions().getMasterBySlot(SlotHash.getSlot(key));
            if (master == null) {
                return Mono.error(new StoreException.Unavailable("CLUSTERDOWN no master serves the slot of " + key, null));
            }
            return named(via, master.getUri().getHost() + ":" + master.getUri().getPort());
        }
        return named(via, SINGLE);
    }

    /** The connection, through {@code via}, to the node named {@code host:port}, or the lone Redis. */
    private static Mono<Node> named(StatefulConnection<String, String> via, String name) {
        if (via instanceof StatefulRedisClusterConnection<String, String> cluster) {
            int colon = name.lastIndexOf(':');
            String host = name.substring(0, colon);
            int port = Integer.parseInt(name.substring(colon + 1));
            return Mono.fromFuture(() -> cluster.getConnectionAsync(host, port))
                    .map(connection -> new Node(name, connection))
                    // The topology changed between the lookups ("not allowed", unknown partition).
                    .onErrorMap(error -> !(error instanceof RedisException),
                            error -> new RedisConnectionException("No connection to " + name, error));
        }
        @SuppressWarnings("unchecked")
        StatefulRedisConnection<String, String> single = (StatefulRedisConnection<String, String>) via;
        return Mono.just(new Node(SINGLE, single));
    }

    private static Mono<List<Object>> send(StatefulRedisConnection<String, String> node, CommandType type, String script,
            String[] keys, String[] args) {
        AsyncCommand<String, String, List<Object>> run = command(type, script, keys, args);
        node.dispatch(run);
        return Mono.fromFuture(run);
    }

    private static AsyncCommand<String, String, List<Object>> command(CommandType type, String script, String[] keys,
            String[] args) {
        CommandArgs<String, String> scriptArgs = new CommandArgs<>(StringCodec.UTF8).add(script).add(keys.length)
                .addKeys(keys).addValues(args);
        return new AsyncCommand<>(new Command<>(type, new NestedMultiOutput<>(StringCodec.UTF8), scriptArgs));
    }

    /**
     * Connects, blocking, while the context starts: after the connection factory, whose client it uses (a
     * restarted factory has a new client, so this connects anew on every start).
     */
    @Override
    public void start() {
        AbstractRedisClient client = connections.getRequiredNativeClient();
        StatefulConnection<String, String> scripts = connect(client);
        Connected opened;
        try {
            int replicas = configuredAcks != null ? configuredAcks : hasReplicas(scripts) ? 1 : 0;
            opened = new Connected(client, scripts, connect(client), replicas, new ReplicaFences(replicas, ackTimeout));
        }
        catch (RuntimeException e) {
            scripts.closeAsync();
            throw e;
        }
        connected = opened;
        preload(scripts);
        log.info("Each money change waits for {} replica acknowledgement(s){}", opened.minReplicaAcks(),
                configuredAcks != null ? "" : " (wallet.redis.min-replica-acks unset: "
                        + (scripts instanceof StatefulRedisClusterConnection<?, ?> ? "a cluster"
                                : opened.minReplicaAcks() == 0 ? "a lone Redis without replicas" : "a Redis with replicas") + ")");
    }

    @Override
    public void stop() {
        Connected current = connected;
        connected = null;
        if (current != null) {
            current.close();
        }
    }

    @Override
    public boolean isRunning() {
        return connected != null;
    }

    /**
     * After the connection factory (phase 0), whose client this uses, and before the web server, so that
     * requests still draining at a graceful shutdown can finish their changes.
     */
    @Override
    public int getPhase() {
        return 1;
    }

    /**
     * Loads every script into Redis (every master of a cluster), so a cold burst of requests runs EVALSHA
     * straight away instead of each falling back to EVAL with the whole script text.
     */
    @SuppressWarnings("unchecked")
    private void preload(StatefulConnection<String, String> connection) {
        try {
            for (LuaScript script : preloaded) {
                if (connection instanceof StatefulRedisClusterConnection<String, String> cluster) {
                    cluster.sync().scriptLoad(script.text());
                }
                else {
                    ((StatefulRedisConnection<String, String>) connection).sync().scriptLoad(script.text());
                }
            }
        }
        catch (RedisException e) {
            log.warn("Could not preload the Lua scripts; each loads on its first use: {}", e.toString());
        }
    }

    private static StatefulConnection<String, String> connect(AbstractRedisClient client) {
        if (client instanceof RedisClusterClient cluster) {
            return cluster.connect(StringCodec.UTF8);
        }
        return ((RedisClient) client).connect(StringCodec.UTF8);
    }

    /**
     * Whether the Redis has replicas: a cluster is taken to have them (its topology, read just after the
     * cluster formed, may not show them yet, and guessing none would silently drop the wait; a cluster
     * without replicas sets {@code wallet.redis.min-replica-acks=0}); a lone master says so in its INFO.
     */
    private static boolean hasReplicas(StatefulConnection<String, String> connection) {
        if (connection instanceof StatefulRedisClusterConnection<?, ?>) {
            return true;
        }
        @SuppressWarnings("unchecked")
        String info = ((StatefulRedisConnection<String, String>) connection).sync().info("replication");
        return info.lines().anyMatch(line -> line.startsWith("connected_slaves:") && !line.endsWith(":0"));
    }
}
