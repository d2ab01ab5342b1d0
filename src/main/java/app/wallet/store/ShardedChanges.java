package app.wallet.store;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.RedisClusterPubSubAdapter;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import io.lettuce.core.event.connection.ReconnectAttemptEvent;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.resource.ClientResources;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

import app.wallet.store.WalletChanges.Notice;

/**
 * The change notices of Redis 7 and later, published by the scripts with {@code SPUBLISH} and received
 * with {@code SSUBSCRIBE}. On a cluster a sharded channel is served only by the master of its slot, so
 * each channel is subscribed on its master's own connection, and moved by this class, not by Lettuce,
 * when the topology says its slot has another master (a failover, a resharding): Lettuce's own
 * re-subscription after a failover is not reliable (lettuce#3213). Every move is announced with
 * {@link Notice#RESUBSCRIBED}, as what was published meanwhile may be lost; a notice is taken only from
 * the node a channel is homed on, so one never arrives twice while a channel moves.
 */
final class ShardedChanges {

    private static final Logger log = LoggerFactory.getLogger(ShardedChanges.class);
    /** How often the homes are held to the client's view of the topology, besides its change events. */
    private static final Duration RECHECK = Duration.ofSeconds(1);
    private static final Duration NODE_TIMEOUT = Duration.ofSeconds(2);

    private ShardedChanges() {
    }

    /**
     * The address ({@code host:port}) of each connection, of every client sharing these resources, that
     * comes up again after a reconnect attempt; not the new connections a cluster's topology refresh opens
     * every few seconds.
     */
    static Flux<String> reconnections(ClientResources resources) {
        return Flux.defer(() -> {
            Set<String> reconnecting = ConcurrentHashMap.newKeySet();
            return resources.eventBus().get()
                    .filter(event -> {
                        if (event instanceof ReconnectAttemptEvent attempt) {
                            reconnecting.add(address(attempt.remoteAddress()));
                            return false;
                        }
                        return event instanceof ConnectionActivatedEvent activated
                                && reconnecting.remove(address(activated.remoteAddress()));
                    })
                    .map(event -> address(((ConnectionActivatedEvent) event).remoteAddress()));
        });
    }

    private static String address(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? inet.getHostString() + ":" + inet.getPort() : String.valueOf(address);
    }

    /** The notices of {@code channels}, first {@link Notice#RESUBSCRIBED} once they are all subscribed. */
    static Flux<Notice> notices(AbstractRedisClient client, WalletKeys keys, List<String> channels) {
        return client instanceof RedisClusterClient cluster ? onCluster(cluster, keys, channels)
                : onOneServer((RedisClient) client, keys, channels);
    }

    /** One connection: Lettuce subscribes it again by itself when it reconnects (announced by WalletChanges). */
    private static Flux<Notice> onOneServer(RedisClient client, WalletKeys keys, List<String> channels) {
        return Mono.fromCallable(() -> client.connectPubSub(StringCodec.UTF8))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMapMany(connection -> Flux.<Notice>create(sink -> {
                    connection.addListener(new RedisPubSubAdapter<>() {
                        @Override
                        public void smessage(String channel, String message) {
                            sink.next(new Notice(keys.partitionOfChannel(channel), message));
                        }
                    });
                    connection.reactive().ssubscribe(channels.toArray(String[]::new))
                            .subscribe(null, sink::error, () -> sink.next(Notice.RESUBSCRIBED));
                    sink.onDispose(connection::closeAsync);
                }));
    }

    private static Flux<Notice> onCluster(RedisClusterClient client, WalletKeys keys, List<String> channels) {
        return Mono.fromCallable(() -> client.connectPubSub(StringCodec.UTF8))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMapMany(connection -> Flux.<Notice>create(sink -> {
                    Homes homes = new Homes(client, connection, channels);
                    Sinks.Many<Object> moved = Sinks.many().multicast().directBestEffort();
                    connection.addListener(new RedisClusterPubSubAdapter<>() {
                        @Override
                        public void smessage(@Nullable RedisClusterNode node, String channel, String message) {
                            if (node != null && node.getNodeId().equals(homes.of(channel))) {
                                sink.next(new Notice(keys.partitionOfChannel(channel), message));
                            }
                        }

                        @Override
                        public void sunsubscribed(@Nullable RedisClusterNode node, String channel, long count) {
                            // The server let the channel go: its slot has moved (or we moved it, from a node
                            // that is no longer its home). Even if the topology still shows the same master
                            // (a failover and back between two refreshes), it must be subscribed again. A
                            // signal lost to another node's at the same instant is made up by the next check.
                            if (node != null) {
                                homes.forget(channel, node.getNodeId());
                            }
                            moved.tryEmitNext(channel);
                        }
                    });
                    // A node connection that reconnects is subscribed again by Lettuce with one SSUBSCRIBE of
                    // all its channels, which a cluster refuses (CROSSSLOT): its channels are made homeless,
                    // so the next check subscribes them again, a slot at a time, and announces it.
                    Flux<String> reconnected = reconnections(client.getResources()).doOnNext(homes::forgetNodeAt);
                    Flux<Object> checks = Flux.merge(Flux.interval(Duration.ZERO, RECHECK),
                            client.getResources().eventBus().get().filter(ClusterTopologyChangedEvent.class::isInstance),
                            moved.asFlux(), reconnected);
                    var rehoming = checks.onBackpressureDrop()
                            .concatMap(check -> homes.rehome(), 1)
                            .filter(Boolean::booleanValue)
                            .subscribe(any -> sink.next(Notice.RESUBSCRIBED), sink::error);
                    sink.onDispose(() -> {
                        rehoming.dispose();
                        connection.closeAsync();
                    });
                }));
    }

    /** Which master each channel is subscribed on, held to the topology by {@link #rehome()}. */
    private static final class Homes {

        private final RedisClusterClient client;
        private final StatefulRedisClusterPubSubConnection<String, String> connection;
        private final List<String> channels;
        /** Each channel's slot, in the order of {@link #channels}. */
        private final int[] slots;
        private final Map<String, String> home = new ConcurrentHashMap<>();

        Homes(RedisClusterClient client, StatefulRedisClusterPubSubConnection<String, String> connection, List<String> channels) {
            this.client = client;
            this.connection = connection;
            this.channels = channels;
            this.slots = channels.stream().mapToInt(SlotHash::getSlot).toArray();
        }

        @Nullable String of(String channel) {
            return home.get(channel);
        }

        /** The channel is no longer subscribed at {@code nodeId}, if that was its home. */
        void forget(String channel, String nodeId) {
            home.remove(channel, nodeId);
        }

        /** The node at {@code address} (host:port) has lost its subscriptions. */
        void forgetNodeAt(String address) {
            for (RedisClusterNode node : client.getPartitions()) {
                if (address.equals(node.getUri().getHost() + ":" + node.getUri().getPort())) {
                    home.values().removeIf(node.getNodeId()::equals);
                }
            }
        }

        /** Subscribes every channel whose slot's master is not its home there, then lets go of it at the old home. */
        Mono<Boolean> rehome() {
            Map<String, List<String>> moving = new HashMap<>();
            Map<String, List<String>> leaving = new HashMap<>();
            for (int i = 0; i < channels.size(); i++) {
                String channel = channels.get(i);
                RedisClusterNode master = client.getPartitions().getMasterBySlot(slots[i]);
                String current = home.get(channel);
                if (master != null && !master.getNodeId().equals(current)) {
                    moving.computeIfAbsent(master.getNodeId(), node -> new ArrayList<>()).add(channel);
                    if (current != null) {
                        leaving.computeIfAbsent(current, node -> new ArrayList<>()).add(channel);
                    }
                }
            }
            if (moving.isEmpty()) {
                return Mono.just(false);
            }
            // Each master on its own: one that cannot be reached yet leaves its channels where they were,
            // for the next check, and does not hold the others back.
            return Flux.fromIterable(moving.entrySet())
                    .concatMap(move -> Mono.fromFuture(() -> connection.getConnectionAsync(move.getKey()))
                            .flatMap(node -> bySlot(move.getValue(), node.reactive()::ssubscribe))
                            .timeout(NODE_TIMEOUT)
                            .then(Mono.fromCallable(() -> {
                                move.getValue().forEach(channel -> home.put(channel, move.getKey()));
                                log.info("Change notices of {} partition(s) now subscribed on {}", move.getValue().size(), move.getKey());
                                return true;
                            }))
                            .onErrorResume(error -> {
                                log.warn("Could not subscribe change notices on {} yet: {}", move.getKey(), error.toString());
                                return Mono.just(false);
                            }))
                    .reduce(false, Boolean::logicalOr)
                    .flatMap(moved -> Flux.fromIterable(leaving.entrySet())
                            .concatMap(away -> Mono.fromFuture(() -> connection.getConnectionAsync(away.getKey()))
                                    .flatMap(node -> bySlot(away.getValue().stream().filter(channel -> !away.getKey().equals(home.get(channel))).toList(),
                                            node.reactive()::sunsubscribe))
                                    .timeout(NODE_TIMEOUT)
                                    // A dead node's connection may subscribe them again when it comes back:
                                    // what it then sends is ignored, as their home is elsewhere.
                                    .onErrorResume(error -> Mono.empty()))
                            .then(Mono.just(moved)));
        }

        /** One command a slot, all sent at once: a cluster refuses shard channels of several slots in one (CROSSSLOT). */
        private static Mono<Void> bySlot(List<String> channels, Function<String[], Mono<Void>> command) {
            Map<Integer, List<String>> slots = new HashMap<>();
            channels.forEach(channel -> slots.computeIfAbsent(SlotHash.getSlot(channel), slot -> new ArrayList<>()).add(channel));
            if (slots.isEmpty()) {
                return Mono.empty();
            }
            return Flux.fromIterable(slots.values())
                    .flatMap(inSlot -> command.apply(inSlot.toArray(String[]::new)), slots.size())
                    .then();
        }
    }
}
