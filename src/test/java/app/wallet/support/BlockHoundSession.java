package app.wallet.support;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import reactor.blockhound.BlockHound;

/**
 * Installs BlockHound once, before any test starts a thread: any blocking call on a non-blocking thread
 * (Netty event loops, Reactor's parallel workers) then fails the test that made it ({@link BlockingCalls}).
 * Installing it later, while scheduler threads are already parked, corrupts their locks.
 */
public class BlockHoundSession implements LauncherSessionListener {

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        // Short locks around in-memory state, never held across I/O once the service is up: Jackson's
        // first creation of a deserializer, Spring Data's hand-out of the shared Redis connection (made
        // at start-up), Lettuce's guard of its command queue, and the timer queue's lock taken when a
        // stream's keep-alive timer is cancelled (a client leaving, or a newer state replacing it).
        // Also Netty's one-time load of the zstd native library, the first time an HTTP client decodes
        // a response, and the lock its buffer allocator takes for a moment when it adds a magazine (seen
        // when Lettuce reconnects again and again through a long Redis outage). On a Redis Cluster, the
        // lock Lettuce takes around its cache of node connections when it routes a command to a slot.
        // And the lock Boot's Prometheus exemplars take once, the first time a counter asks for the
        // current span (an instance started inside a test may count its first script on an event loop).
        BlockHound.install(builder -> builder
                .blockingMethodCallback(BlockingCalls::record)
                .allowBlockingCallsInside("tools.jackson.databind.deser.DeserializerCache", "_createAndCacheValueDeserializer")
                .allowBlockingCallsInside("org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory",
                        "getOrCreateSharedReactiveConnection")
                .allowBlockingCallsInside("org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory$SharedConnection",
                        "getConnection")
                .allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "incrementWriters")
                .allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "decrementWriters")
                // ... and around a flush of commands held back for one round trip (the relay's outbox
                // connection), when another thread writes or flushes on that connection at the same moment;
                // the wait for that lock only: what Lettuce runs while holding it (draining its queue,
                // completing commands, which runs our callbacks) is checked as anywhere else.
                .allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "doExclusive")
                .disallowBlockingCallsInside("io.lettuce.core.protocol.DefaultEndpoint", "lambda$flushCommands$6")
                .disallowBlockingCallsInside("io.lettuce.core.protocol.DefaultEndpoint", "lambda$notifyChannelActive$1")
                .disallowBlockingCallsInside("io.lettuce.core.protocol.DefaultEndpoint", "lambda$notifyChannelInactive$4")
                .disallowBlockingCallsInside("io.lettuce.core.protocol.DefaultEndpoint", "lambda$notifyException$5")
                .disallowBlockingCallsInside("io.lettuce.core.protocol.DefaultEndpoint", "lambda$notifyDrainQueuedCommands$13")
                .disallowBlockingCallsInside("io.lettuce.core.protocol.DefaultEndpoint", "drainCommands")
                .allowBlockingCallsInside("java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask", "cancel")
                .allowBlockingCallsInside("io.netty.handler.codec.compression.Zstd", "<clinit>")
                .allowBlockingCallsInside("org.springframework.boot.micrometer.tracing.autoconfigure.prometheus."
                        + "PrometheusExemplarsAutoConfiguration$LazyTracingSpanContext", "currentSpan")
                .allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "tryExpandMagazines")
                .allowBlockingCallsInside("io.lettuce.core.cluster.PooledClusterConnectionProvider", "getWriteConnection")
                // ... and again when a node connection's handshake completes (Lettuce 7.5's lambda name).
                .allowBlockingCallsInside("io.lettuce.core.cluster.PooledClusterConnectionProvider", "lambda$getWriteConnection$1")
                // ... and when a node connection asked for by id (the sharded change subscriptions) completes.
                .allowBlockingCallsInside("io.lettuce.core.cluster.PooledClusterConnectionProvider$NodeConnectionPostProcessor",
                        "lambda$apply$4")
                // ... and the lock around its slot table while a fresh topology is swapped in, which two
                // refreshes finishing at once (a periodic one and one asked for on a redirect) both take.
                .allowBlockingCallsInside("io.lettuce.core.cluster.models.partitions.Partitions", "reload"));
    }
}
