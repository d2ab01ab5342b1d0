package app.wallet.event;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import app.wallet.config.WalletProperties;
import app.wallet.store.LuaScript;
import app.wallet.store.WalletChanges;
import app.wallet.store.WalletKeys;

/**
 * Relays each partition's outbox stream to Kafka, off the request path: a change is committed with
 * its event in one script, and this loop publishes it later, so Kafka's latency or absence never
 * reaches a response and no event is lost while Kafka is down.
 *
 * <p>Instances share the partitions: once per heartbeat each instance renews itself and takes or gives
 * back partitions to hold its fair share ({@code outbox-assign.lua}); one call whatever the number of
 * partitions. A partition is relayed when a change notice for it arrives, when it is taken over, when a
 * failed pass backs off and retries, and, in case a notice was lost, by a slow sweep over the held
 * partitions; an idle relay so costs a few commands a second, not one per partition.
 *
 * <p>Entries leave the outbox only after Kafka acknowledged them. During a hand-over two instances may
 * relay one partition for a moment; each publishes from the oldest entry on, so a consumer sees each
 * user's events first in {@code walletVersion} order, a repeat carrying the same {@code eventId}:
 * delivery is at least once.
 */
public class OutboxRelay implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

    private enum Pass { FULL, IDLE, FAILED }

    private final ReactiveStringRedisTemplate redis;
    private final WalletKeys keys;
    private final EventPublisher publisher;
    private final WalletProperties.Outbox settings;
    private final LuaScript assignScript;
    private final LuaScript releaseScript;
    private final WalletChanges changes;
    private final OutboxMetrics metrics;
    private final String owner;
    private final Map<Integer, Partition> held = new ConcurrentHashMap<>();
    private final AtomicInteger sweepCursor = new AtomicInteger();
    /** The sum of the held partitions' last measured backlogs, kept as they change rather than summed each time. */
    private final AtomicLong backlogTotal = new AtomicLong();
    private volatile @Nullable Disposable running;
    private volatile long lastHeartbeat = System.nanoTime();

    public OutboxRelay(ReactiveStringRedisTemplate redis, WalletKeys keys, EventPublisher publisher,
            WalletProperties.Outbox settings, LuaScript assignScript, LuaScript releaseScript, WalletChanges changes,
            OutboxMetrics metrics) {
        this.redis = redis;
        this.keys = keys;
        this.publisher = publisher;
        this.settings = settings;
        this.assignScript = assignScript;
        this.releaseScript = releaseScript;
        this.changes = changes;
        this.metrics = metrics;
        this.owner = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID();
    }

    @Override
    public void start() {
        Disposable.Composite loops = Disposables.composite();
        loops.add(Flux.interval(Duration.ZERO, settings.heartbeat())
                .onBackpressureDrop()
                .concatMap(tick -> assign(), 0)
                .subscribe());
        if (settings.relayEnabled()) {
            loops.add(changes.notices().subscribe(notice -> {
                if (notice.resubscribed()) {
                    held.values().forEach(Partition::wake);
                }
                else {
                    wake(notice.partition());
                }
            }));
            loops.add(Flux.interval(settings.sweepInterval(), settings.sweepInterval())
                    .onBackpressureDrop()
                    .subscribe(tick -> sweep()));
        }
        running = loops;
        log.info("Outbox relay {} started ({} partitions, {})", owner, keys.partitions(),
                settings.relayEnabled() ? "relaying its share" : "relaying none: wallet.outbox.relay-enabled=false");
    }

    @Override
    public void stop(Runnable callback) {
        abandon();
        redis.execute(releaseScript, List.of(keys.instances(), keys.relays(), keys.outboxLeases()), List.of(owner))
                .then()
                .onErrorResume(error -> Mono.empty())
                .timeout(Duration.ofSeconds(5), Mono.empty())
                .doFinally(signal -> {
                    log.info("Outbox relay {} stopped", owner);
                    callback.run();
                })
                .subscribe();
    }

    /** Stops relaying without giving back its partitions or closing its producer, as a crashed instance would. */
    void abandon() {
        Disposable loops = running;
        running = null;
        if (loops != null) {
            loops.dispose();
        }
        letGo();
    }

    private synchronized void letGo() {
        held.values().forEach(Partition::stop);
        held.clear();
        metrics.held(0);
        backlogTotal.set(0);
        metrics.backlog(0);
    }

    @Override
    public void stop() {
        stop(() -> { });
    }

    @Override
    public boolean isRunning() {
        return running != null;
    }

    /** The backlog of the partitions this instance relays, as last measured. */
    public long backlog() {
        return metrics.backlog();
    }

    /** The partitions this instance relays now. */
    public Set<Integer> partitions() {
        return Set.copyOf(held.keySet());
    }

    private Mono<Void> assign() {
        List<String> args = List.of(owner, Long.toString(settings.leaseTtl().toMillis()),
                Integer.toString(keys.partitions()), settings.relayEnabled() ? "1" : "0");
        return redis.execute(assignScript, List.of(keys.instances(), keys.relays(), keys.outboxLeases()), args)
                .next()
                // A heartbeat answered late is as good as lost: the others judge by Redis's clock.
                .timeout(settings.heartbeat())
                .doOnNext(assigned -> {
                    lastHeartbeat = System.nanoTime();
                    hold(assigned);
                })
                .onErrorResume(error -> {
                    log.warn("Outbox relay heartbeat failed: {}", error.toString());
                    // Others take this instance's partitions once its heartbeat has expired; stop relaying them
                    // before that, so two relays do not publish one partition for long.
                    if (System.nanoTime() - lastHeartbeat > settings.leaseTtl().minus(settings.heartbeat()).toNanos()
                            && !held.isEmpty()) {
                        log.warn("Outbox relay {} stops relaying its {} partitions: no heartbeat for {}", owner, held.size(),
                                settings.leaseTtl().minus(settings.heartbeat()));
                        letGo();
                    }
                    return Mono.empty();
                })
                .then();
    }

    private synchronized void hold(List<?> assigned) {
        if (running == null) {
            return;
        }
        Set<Integer> now = new HashSet<>();
        assigned.forEach(partition -> now.add(((Number) partition).intValue()));
        int before = held.size();
        int[] handedOver = {0};
        held.keySet().removeIf(partition -> {
            if (now.contains(partition)) {
                return false;
            }
            held.get(partition).stop();
            handedOver[0]++;
            return true;
        });
        for (int partition : now) {
            if (!held.containsKey(partition)) {
                // Taken over: what its previous holder left waits now.
                Partition taken = new Partition(partition);
                held.put(partition, taken);
                taken.wake();
            }
        }
        metrics.held(held.size());
        if (handedOver[0] > 0 || held.size() != before - handedOver[0]) {
            log.info("Outbox relay {} relays {} partitions: took {}, handed over {}", owner, held.size(),
                    held.size() - before + handedOver[0], handedOver[0]);
        }
    }

    private void wake(int partition) {
        Partition relayed = held.get(partition);
        if (relayed != null) {
            relayed.wake();
        }
    }

    /**
     * Wakes the next held partition in turn, for a change whose notice was lost; and measures again the
     * backlog of partitions whose pass is held up (Kafka slow or gone), which no pass measures meanwhile.
     */
    private void sweep() {
        List<Partition> partitions = List.copyOf(held.values());
        if (!partitions.isEmpty()) {
            partitions.get(Math.floorMod(sweepCursor.getAndIncrement(), partitions.size())).wake();
        }
        partitions.forEach(Partition::measureIfHeldUp);
    }

    /**
     * One held partition: runs one pass at a time, again at once while the outbox is full or a wake came
     * in meanwhile, and again after a back-off when a pass failed.
     */
    private static final AtomicLongFieldUpdater<Partition> MEASURED_AT =
            AtomicLongFieldUpdater.newUpdater(Partition.class, "measuredAt");

    private final class Partition {

        private final int partition;
        private final AtomicBoolean woken = new AtomicBoolean();
        private final AtomicBoolean passing = new AtomicBoolean();
        private volatile boolean stopped;
        private volatile @Nullable Disposable pass;
        // This partition's share of backlogTotal; changed only under the partition's lock.
        private long backlog;
        private volatile long measuredAt;
        // Read and written only by the pass in progress.
        private int failures;

        Partition(int partition) {
            this.partition = partition;
        }

        void wake() {
            woken.set(true);
            if (stopped) {
                return;
            }
            if (!passing.compareAndSet(false, true)) {
                return;
            }
            woken.set(false);
            pass = pass().onErrorResume(error -> {
                        log.warn("Outbox partition {} pass failed: {}", partition, error.toString());
                        return Mono.just(Pass.FAILED);
                    })
                    .flatMap(outcome -> Mono.delay(pause(outcome)).thenReturn(outcome))
                    .subscribe(outcome -> {
                        passing.set(false);
                        // Full or failed: go on (after the back-off); idle: only if woken meanwhile.
                        if (outcome != Pass.IDLE || woken.get()) {
                            wake();
                        }
                    });
        }

        synchronized void stop() {
            stopped = true;
            metrics.backlog(backlogTotal.addAndGet(-backlog));
            backlog = 0;
            Disposable current = pass;
            if (current != null) {
                current.dispose();
            }
        }

        /** Every pass measures the backlog; while one is held up, it is measured once per backlog interval. */
        void measureIfHeldUp() {
            long now = System.nanoTime();
            long last = measuredAt;
            if (passing.get() && now - last >= settings.backlogInterval().toNanos()
                    && MEASURED_AT.compareAndSet(this, last, now)) {
                redis.opsForStream().size(keys.outbox(partition))
                        .subscribe(this::measured, error -> log.debug("Could not measure outbox partition {}: {}", partition, error.toString()));
            }
        }

        private Duration pause(Pass outcome) {
            if (outcome != Pass.FAILED) {
                failures = 0;
                return Duration.ZERO;
            }
            Duration backoff = settings.minBackoff().multipliedBy(1L << Math.min(failures++, 20));
            return backoff.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : backoff;
        }

        private Mono<Pass> pass() {
            measuredAt = System.nanoTime();
            String outbox = keys.outbox(partition);
            return Mono.zip(redis.opsForStream().range(outbox, Range.unbounded(), Limit.limit().count(settings.batchSize()))
                                    .collectList(),
                            redis.opsForStream().size(outbox))
                    .flatMap(read -> {
                        measured(read.getT2());
                        return read.getT1().isEmpty() ? Mono.just(Pass.IDLE) : publish(outbox, read.getT1(), read.getT2());
                    });
        }

        private Mono<Pass> publish(String outbox, List<MapRecord<String, Object, Object>> entries, long size) {
            List<WalletEvent> events = entries.stream().map(entry -> WalletEvent.of(entry.getValue())).toList();
            return publisher.publish(events).flatMap(acknowledged -> {
                // Only the acknowledged prefix leaves the outbox: a later event must not overtake a failed
                // earlier one, so everything from the first failure on is published again.
                int prefix = acknowledged.indexOf(false) < 0 ? acknowledged.size() : acknowledged.indexOf(false);
                int failed = entries.size() - prefix;
                metrics.published(prefix);
                metrics.failed(failed);
                Pass outcome = failed > 0 ? Pass.FAILED : entries.size() == settings.batchSize() ? Pass.FULL : Pass.IDLE;
                if (prefix == 0) {
                    return Mono.just(outcome);
                }
                RecordId[] ids = entries.subList(0, prefix).stream().map(MapRecord::getId).toArray(RecordId[]::new);
                // Deleting what Kafka has is safe whoever holds the partition now: a relay that lost it
                // meanwhile removes only events that are published.
                return redis.opsForStream().delete(outbox, ids)
                        .doOnNext(removed -> measured(size - removed))
                        .thenReturn(outcome);
            });
        }

        private synchronized void measured(long entries) {
            if (stopped) {
                return;
            }
            long now = Math.max(0, entries);
            metrics.backlog(backlogTotal.addAndGet(now - backlog));
            backlog = now;
        }
    }
}
