package app.wallet.event;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import app.wallet.config.WalletProperties;
import app.wallet.store.LuaScript;
import app.wallet.store.WalletKeys;

/**
 * Relays each partition's outbox stream to Kafka, off the request path: a change is committed with
 * its event in one script, and this loop publishes it later, so Kafka's latency or absence never
 * reaches a response and no event is lost while Kafka is down.
 *
 * <p>One relay at a time holds a partition (a Redis lease, renewed on every pass), so each user's
 * events reach Kafka in {@code walletVersion} order. Entries are removed only after Kafka
 * acknowledged them, and only while the lease is still held; a relay that dies leaves its entries
 * in the stream for the next holder. Delivery is therefore at least once, a repeat carrying the same
 * {@code eventId}.
 */
public class OutboxRelay implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

    private enum Pass { FULL, IDLE, FAILED }

    private final ReactiveStringRedisTemplate redis;
    private final WalletKeys keys;
    private final EventPublisher publisher;
    private final WalletProperties.Outbox settings;
    private final LuaScript leaseScript;
    private final LuaScript ackScript;
    private final LuaScript releaseScript;
    private final String owner;
    private final OutboxMetrics metrics;
    private volatile @Nullable Disposable running;

    public OutboxRelay(ReactiveStringRedisTemplate redis, WalletKeys keys, EventPublisher publisher,
            WalletProperties.Outbox settings, LuaScript leaseScript, LuaScript ackScript, LuaScript releaseScript,
            OutboxMetrics metrics) {
        this.redis = redis;
        this.keys = keys;
        this.publisher = publisher;
        this.settings = settings;
        this.leaseScript = leaseScript;
        this.ackScript = ackScript;
        this.releaseScript = releaseScript;
        this.owner = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID();
        this.metrics = metrics;
    }

    @Override
    public void start() {
        Disposable.Composite loops = Disposables.composite();
        for (int partition = 0; partition < keys.partitions(); partition++) {
            loops.add(relay(partition).subscribe());
        }
        loops.add(Flux.interval(Duration.ZERO, settings.backlogInterval())
                .onBackpressureDrop()
                .concatMap(tick -> measureBacklog())
                .subscribe(metrics::backlog));
        running = loops;
        log.info("Outbox relay {} started on {} partitions", owner, keys.partitions());
    }

    @Override
    public void stop(Runnable callback) {
        abandon();
        Flux.range(0, keys.partitions())
                .flatMap(partition -> redis.execute(releaseScript, List.of(lease(partition)), List.of(owner)))
                .onErrorResume(error -> Mono.empty())
                .then()
                .timeout(Duration.ofSeconds(5), Mono.empty())
                .doFinally(signal -> {
                    log.info("Outbox relay {} stopped", owner);
                    callback.run();
                })
                .subscribe();
    }

    /** Stops relaying without releasing its leases or closing its producer, as a crashed instance would. */
    void abandon() {
        Disposable loops = running;
        running = null;
        if (loops != null) {
            loops.dispose();
        }
    }

    @Override
    public void stop() {
        stop(() -> { });
    }

    @Override
    public boolean isRunning() {
        return running != null;
    }

    /** The last measured backlog. */
    public long backlog() {
        return metrics.backlog();
    }

    /** Passes over one partition until stopped, pausing when idle and backing off after failures. */
    private Flux<Pass> relay(int partition) {
        int[] consecutiveFailures = {0};
        return Mono.defer(() -> pass(partition))
                .onErrorResume(error -> {
                    log.warn("Outbox partition {} pass failed: {}", partition, error.toString());
                    return Mono.just(Pass.FAILED);
                })
                .flatMap(pass -> Mono.delay(pause(pass, consecutiveFailures)).thenReturn(pass))
                .repeat();
    }

    private Duration pause(Pass pass, int[] consecutiveFailures) {
        if (pass != Pass.FAILED) {
            consecutiveFailures[0] = 0;
            return pass == Pass.FULL ? Duration.ZERO : settings.idleDelay();
        }
        int failures = Math.min(consecutiveFailures[0]++, 20);
        Duration backoff = settings.minBackoff().multipliedBy(1L << failures);
        return backoff.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : backoff;
    }

    private Mono<Pass> pass(int partition) {
        return redis.execute(leaseScript, List.of(lease(partition)), List.of(owner, Long.toString(settings.leaseTtl().toMillis())))
                .next()
                .flatMap(held -> ((Number) held.get(0)).intValue() == 1 ? drain(partition) : Mono.just(Pass.IDLE));
    }

    private Mono<Pass> drain(int partition) {
        return redis.opsForStream().range(keys.outbox(partition), Range.unbounded(), Limit.limit().count(settings.batchSize()))
                .collectList()
                .flatMap(entries -> entries.isEmpty() ? Mono.just(Pass.IDLE) : publish(partition, entries));
    }

    private Mono<Pass> publish(int partition, List<MapRecord<String, Object, Object>> entries) {
        List<WalletEvent> events = entries.stream().map(entry -> WalletEvent.of(entry.getValue())).toList();
        return publisher.publish(events).flatMap(acknowledged -> {
            // Only the acknowledged prefix leaves the outbox: a later event must not overtake a failed
            // earlier one, so everything from the first failure on is published again.
            int prefix = acknowledged.indexOf(false) < 0 ? acknowledged.size() : acknowledged.indexOf(false);
            int failed = entries.size() - prefix;
            metrics.published(prefix);
            metrics.failed(failed);
            Mono<Pass> outcome = Mono.just(failed > 0 ? Pass.FAILED
                    : entries.size() == settings.batchSize() ? Pass.FULL : Pass.IDLE);
            if (prefix == 0) {
                return outcome;
            }
            List<String> args = new ArrayList<>(prefix + 1);
            args.add(owner);
            entries.subList(0, prefix).forEach(entry -> args.add(entry.getId().getValue()));
            return redis.execute(ackScript, List.of(lease(partition), keys.outbox(partition)), args)
                    .next()
                    .doOnNext(removed -> {
                        if (((Number) removed.get(0)).longValue() < 0) {
                            log.warn("Lost the lease of outbox partition {} while publishing; its next holder publishes again", partition);
                        }
                    })
                    .then(outcome);
        });
    }

    private Mono<Long> measureBacklog() {
        return Flux.range(0, keys.partitions())
                .concatMap(partition -> redis.opsForStream().size(keys.outbox(partition)))
                .reduce(0L, Long::sum)
                .onErrorResume(error -> {
                    log.debug("Could not measure the outbox backlog: {}", error.toString());
                    return Mono.empty();
                });
    }

    private String lease(int partition) {
        return keys.outboxLease(partition);
    }
}
