package app.wallet.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.lettuce.core.resource.ClientResources;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.ReactiveRedisMessageListenerContainer;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.retry.Retry;

/**
 * The instance's one Redis subscription to the change notifications the money scripts publish, shared by
 * everything that reacts to changes (balance streams, the outbox relay). Every instance sharing the Redis
 * sees every change, and nothing in Java has to remember to notify.
 *
 * <p>On Redis 7 and later the scripts publish with {@code SPUBLISH} and the subscription is sharded
 * ({@link ShardedChanges}: on a cluster each notice travels only within its shard); before, {@code PUBLISH}
 * and {@code SUBSCRIBE} on one connection.
 *
 * <p>Pub/Sub drops what is published while a subscriber is disconnected: after each subscription, and
 * whenever a Redis connection of this instance comes up again, a {@link Notice#resubscribed()} notice
 * tells consumers that any partition may have changed meanwhile.
 */
@Component
public class WalletChanges implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WalletChanges.class);

    /** {@code _common.lua}'s test for SPUBLISH: Redis 7.0 brought both it and REDIS_VERSION_NUM. */
    private static final RedisScript<Long> SHARDED = RedisScript.of("return redis.REDIS_VERSION_NUM and 1 or 0", Long.class);

    private final LettuceConnectionFactory connectionFactory;
    private final ReactiveStringRedisTemplate redis;
    private final WalletKeys keys;
    private final ClientResources resources;
    // Emitted to from the one subscription's flux only, so never concurrently.
    private final Sinks.Many<Notice> notices = Sinks.many().multicast().directBestEffort();
    private volatile @Nullable Disposable subscription;
    private volatile @Nullable ReactiveRedisMessageListenerContainer container;

    /**
     * A change of a wallet in {@code partition}, as the script published it
     * ({@code "userId version balance pending totalEarnings totalWithdrawn createdAt updatedAt"}, or for an
     * alert that fired, {@code "!"}, the same, and the alert's {@code "alertId field direction threshold name"}); or, with
     * partition -1 and no message, word that notices may have been lost.
     */
    public record Notice(int partition, @Nullable String message) {

        static final Notice RESUBSCRIBED = new Notice(-1, null);

        public boolean resubscribed() {
            return partition < 0;
        }
    }

    WalletChanges(LettuceConnectionFactory connectionFactory, ReactiveStringRedisTemplate redis, WalletKeys keys,
            ClientResources resources) {
        this.connectionFactory = connectionFactory;
        this.redis = redis;
        this.keys = keys;
        this.resources = resources;
    }

    /** Notices from the moment of subscription on; a subscriber that cannot keep up misses some. */
    public Flux<Notice> notices() {
        return notices.asFlux();
    }

    @Override
    public void start() {
        List<ChannelTopic> channels = new ArrayList<>();
        for (int partition = 0; partition < keys.partitions(); partition++) {
            channels.add(ChannelTopic.of(keys.changes(partition)));
        }
        // A container per start: it holds its own connection, which a stop of the connection factory closes.
        // Made here, on the starting thread, as making it connects; it stays idle where notices are sharded.
        ReactiveRedisMessageListenerContainer listener = new ReactiveRedisMessageListenerContainer(connectionFactory);
        container = listener;
        ChannelTopic[] topics = channels.toArray(ChannelTopic[]::new);
        List<String> names = channels.stream().map(ChannelTopic::getTopic).toList();
        // Each (re)subscription is announced once Redis has confirmed it: what was published before may
        // have been missed, what comes after is received. Sharded (SSUBSCRIBE) where the scripts publish
        // sharded, decided by the scripts' own test.
        Flux<Notice> subscribed = redis.execute(SHARDED).next()
                .doOnNext(sharded -> log.info("Change notices {}", sharded == 1L ? "sharded (SPUBLISH, SSUBSCRIBE)" : "with PUBLISH and SUBSCRIBE"))
                .flatMapMany(sharded -> sharded == 1L
                        ? ShardedChanges.notices(connectionFactory.getRequiredNativeClient(), keys, names)
                        : Mono.defer(() -> listener.receiveLater(topics))
                                .flatMapMany(messages -> messages.map(message ->
                                                new Notice(keys.partitionOfChannel(message.getChannel()), message.getMessage()))
                                        .startWith(Notice.RESUBSCRIBED)))
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(5))
                        .doBeforeRetry(retry -> log.warn("Change subscription lost, resubscribing: {}", retry.failure().toString())));
        // Lettuce reconnects a dropped connection and subscribes it again by itself, without an error
        // reaching the flux above: a connection of this client coming back is announced the same way. Only
        // one coming back: the topology refresh of a cluster opens new ones every few seconds.
        Flux<Notice> reconnected = ShardedChanges.reconnections(resources).map(address -> Notice.RESUBSCRIBED);
        // One merged flux, so the sink is emitted to from one thread at a time.
        subscription = Flux.merge(subscribed, reconnected).subscribe(notices::tryEmitNext);
        log.info("Subscribed to wallet changes on {} channels", channels.size());
    }

    @Override
    public void stop() {
        Disposable current = subscription;
        subscription = null;
        if (current != null) {
            current.dispose();
        }
        ReactiveRedisMessageListenerContainer listener = container;
        container = null;
        if (listener != null) {
            listener.destroyLater().subscribe();
        }
    }

    @Override
    public boolean isRunning() {
        return subscription != null;
    }
}
