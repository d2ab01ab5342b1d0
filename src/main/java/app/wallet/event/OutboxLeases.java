package app.wallet.event;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import app.wallet.config.WalletProperties;
import app.wallet.store.LuaScript;
import app.wallet.store.WalletKeys;

/**
 * Which outbox partitions this instance relays. Once per heartbeat each instance renews itself and takes
 * or gives back partitions to hold its fair share ({@code outbox-assign.lua}): one call whatever the
 * number of partitions. A heartbeat that goes unanswered for nearly its time to live lets every partition
 * go, before the others take them, so two relays do not publish one partition for long.
 */
final class OutboxLeases {

    private static final Logger log = LoggerFactory.getLogger(OutboxLeases.class);

    private final ReactiveStringRedisTemplate redis;
    private final WalletKeys keys;
    private final WalletProperties.Outbox settings;
    private final String owner = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID();
    private volatile Set<Integer> held = Set.of();
    private volatile long lastHeartbeat = System.nanoTime();
    private volatile @Nullable Disposable heartbeats;

    OutboxLeases(ReactiveStringRedisTemplate redis, WalletKeys keys, WalletProperties.Outbox settings) {
        this.redis = redis;
        this.keys = keys;
        this.settings = settings;
    }

    /** Heartbeats until {@link #stop}; {@code taken} hears of each partition this instance comes to hold. */
    void start(Consumer<Integer> taken) {
        heartbeats = Flux.interval(Duration.ZERO, settings.heartbeat())
                .onBackpressureDrop()
                .concatMap(tick -> heartbeat(taken), 0)
                .subscribe();
    }

    /** Stops the heartbeats and lets every partition go here; the others take them once its heartbeat expires. */
    void abandon() {
        Disposable current = heartbeats;
        heartbeats = null;
        if (current != null) {
            current.dispose();
        }
        held = Set.of();
    }

    /** Gives every partition back at once, so the others take them at their next heartbeat. */
    Mono<Void> release() {
        abandon();
        return redis.execute(LuaScript.OUTBOX_RELEASE, List.of(keys.instances(), keys.relays(), keys.outboxLeases()), List.of(owner))
                .then()
                .onErrorResume(error -> Mono.empty())
                .timeout(Duration.ofSeconds(5), Mono.empty());
    }

    String owner() {
        return owner;
    }

    boolean holds(int partition) {
        return held.contains(partition);
    }

    Set<Integer> held() {
        return held;
    }

    private Mono<Void> heartbeat(Consumer<Integer> taken) {
        List<String> args = List.of(owner, Long.toString(settings.leaseTtl().toMillis()),
                Integer.toString(keys.partitions()), settings.relayEnabled() ? "1" : "0");
        return redis.execute(LuaScript.OUTBOX_ASSIGN, List.of(keys.instances(), keys.relays(), keys.outboxLeases()), args)
                .next()
                // A heartbeat answered late is as good as lost: the others judge by Redis's clock.
                .timeout(settings.heartbeat())
                .doOnNext(assigned -> {
                    lastHeartbeat = System.nanoTime();
                    hold(assigned, taken);
                })
                .onErrorResume(error -> {
                    log.warn("Outbox relay heartbeat failed: {}", error.toString());
                    if (System.nanoTime() - lastHeartbeat > settings.leaseTtl().minus(settings.heartbeat()).toNanos()
                            && !held.isEmpty()) {
                        log.warn("Outbox relay {} stops relaying its {} partitions: no heartbeat for {}", owner, held.size(),
                                settings.leaseTtl().minus(settings.heartbeat()));
                        held = Set.of();
                    }
                    return Mono.empty();
                })
                .then();
    }

    private void hold(List<?> assigned, Consumer<Integer> taken) {
        if (heartbeats == null) {
            return;
        }
        Set<Integer> now = new HashSet<>();
        assigned.forEach(partition -> now.add(((Number) partition).intValue()));
        Set<Integer> before = held;
        held = Set.copyOf(now);
        int took = 0;
        for (int partition : now) {
            if (!before.contains(partition)) {
                took++;
                // Taken over: what its previous holder left waits now.
                taken.accept(partition);
            }
        }
        int gave = before.size() - (now.size() - took);
        if (took > 0 || gave > 0) {
            log.info("Outbox relay {} relays {} partitions: took {}, handed over {}", owner, now.size(), took, gave);
        }
    }
}
