package app.wallet.event;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import app.wallet.config.WalletProperties;
import app.wallet.store.OutboxStreams;
import app.wallet.store.WalletChanges;
import app.wallet.store.WalletKeys;

/**
 * Relays the partitions' outbox streams to Kafka, off the request path: a change is committed with its
 * event in one script, and this pump publishes it later, so Kafka's latency or absence never reaches a
 * response and no event is lost while Kafka is down.
 *
 * <p>A change notice marks its partition; one pass at a time then takes every marked partition this
 * instance holds ({@link OutboxLeases}), reads their oldest entries in one round trip, publishes them
 * all as one batch, and deletes what Kafka acknowledged in one round trip more. Notices that arrive
 * during a pass are the next pass's work, so the busier the service, the more events a pass carries and
 * the less each costs. Partitions are also marked when taken over, after a lost subscription, and one at
 * a time by a slow sweep, for a notice lost some other way.
 *
 * <p>Entries leave the outbox only after Kafka acknowledged them, and of each partition only the prefix
 * up to its first failure: a later event never overtakes an earlier one that failed. During a hand-over
 * two instances may relay one partition for a moment; each publishes from the oldest entry on, so a
 * consumer sees each user's events first in {@code walletVersion} order, a repeat carrying the same
 * {@code eventId}: delivery is at least once.
 */
public class OutboxRelay implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
    /** Bounds a pass after an outage, when every partition waits with a full batch. */
    private static final int MAX_PARTITIONS_PER_PASS = 256;

    private final OutboxLeases leases;
    private final OutboxStreams streams;
    private final ReactiveStringRedisTemplate redis;
    private final WalletKeys keys;
    private final EventPublisher publisher;
    private final WalletProperties.Outbox settings;
    private final WalletChanges changes;
    private final OutboxMetrics metrics;
    /** Partitions with entries that may wait; guarded by itself, as is {@code backlogs}. */
    private final BitSet marked = new BitSet();
    /** The last measured backlog of each held partition that had one. */
    private final Map<Integer, Long> backlogs = new HashMap<>();
    private final AtomicBoolean passing = new AtomicBoolean();
    private final AtomicInteger sweepCursor = new AtomicInteger();
    private volatile boolean backingOff;
    private volatile long lastMeasured;
    private int failures;
    private volatile @Nullable Disposable running;

    public OutboxRelay(ReactiveStringRedisTemplate redis, OutboxStreams streams, WalletKeys keys, EventPublisher publisher,
            WalletProperties.Outbox settings, OutboxLeases leases, WalletChanges changes, OutboxMetrics metrics) {
        this.redis = redis;
        this.streams = streams;
        this.keys = keys;
        this.publisher = publisher;
        this.settings = settings;
        this.leases = leases;
        this.changes = changes;
        this.metrics = metrics;
    }

    @Override
    public void start() {
        Disposable.Composite loops = Disposables.composite();
        running = loops;
        leases.start(this::mark);
        if (settings.relayEnabled()) {
            loops.add(changes.notices().subscribe(notice -> {
                if (notice.resubscribed()) {
                    leases.held().forEach(this::mark);
                }
                else {
                    mark(notice.partition());
                }
            }));
            loops.add(Flux.interval(settings.sweepInterval(), settings.sweepInterval())
                    .onBackpressureDrop()
                    .subscribe(tick -> sweep()));
        }
        log.info("Outbox relay {} started ({} partitions, {})", leases.owner(), keys.partitions(),
                settings.relayEnabled() ? "relaying its share" : "relaying none: wallet.outbox.relay-enabled=false");
    }

    @Override
    public void stop(Runnable callback) {
        stopLoops();
        leases.release()
                .doFinally(signal -> {
                    log.info("Outbox relay {} stopped", leases.owner());
                    callback.run();
                })
                .subscribe();
    }

    @Override
    public void stop() {
        stop(() -> { });
    }

    /** Stops relaying without giving back its partitions or closing its producer, as a crashed instance would. */
    void abandon() {
        stopLoops();
        leases.abandon();
    }

    private void stopLoops() {
        Disposable loops = running;
        running = null;
        if (loops != null) {
            loops.dispose();
        }
        synchronized (marked) {
            marked.clear();
            backlogs.clear();
        }
        metrics.backlog(0);
        metrics.held(0);
    }

    @Override
    public boolean isRunning() {
        return running != null;
    }

    /** The backlog of the partitions this instance relays, as last measured. */
    public long backlog() {
        return metrics.backlog();
    }

    public Set<Integer> partitions() {
        return leases.held();
    }

    private void mark(int partition) {
        if (partition < 0) {
            return;
        }
        synchronized (marked) {
            marked.set(partition);
        }
        pump();
    }

    /** Starts a pass unless one runs or the relay backs off; the pass in flight starts the next itself. */
    private void pump() {
        if (running == null || backingOff || !passing.compareAndSet(false, true)) {
            return;
        }
        List<Integer> partitions = new ArrayList<>();
        synchronized (marked) {
            for (int partition = marked.nextSetBit(0); partition >= 0 && partitions.size() < MAX_PARTITIONS_PER_PASS;
                    partition = marked.nextSetBit(partition + 1)) {
                marked.clear(partition);
                if (leases.holds(partition)) {
                    partitions.add(partition);
                }
            }
        }
        metrics.held(leases.held().size());
        if (partitions.isEmpty()) {
            passing.set(false);
            // A mark that came in after the partitions were taken and before the flag was cleared.
            if (hasMarks()) {
                pump();
            }
            return;
        }
        pass(partitions)
                .onErrorResume(error -> {
                    log.warn("Outbox pass over {} partitions failed: {}", partitions.size(), error.toString());
                    remark(partitions);
                    return Mono.just(Boolean.FALSE);
                })
                .subscribe(succeeded -> {
                    Duration pause = pause(succeeded);
                    passing.set(false);
                    if (pause.isZero()) {
                        pump();
                        return;
                    }
                    backingOff = true;
                    Mono.delay(pause).subscribe(tick -> {
                        backingOff = false;
                        pump();
                    });
                });
    }

    private boolean hasMarks() {
        synchronized (marked) {
            return !marked.isEmpty();
        }
    }

    /**
     * Reads, publishes and trims the partitions; whether every event was acknowledged. A partition read
     * whole and published is empty now, but for what came in meanwhile (marked, so read next); one left
     * with entries stays marked and the sweep measures it.
     */
    private Mono<Boolean> pass(List<Integer> partitions) {
        return streams.read(partitions, settings.batchSize()).flatMap(reads -> {
            List<WalletEvent> events = new ArrayList<>();
            reads.forEach(read -> read.entries().forEach(entry -> events.add(WalletEvent.of(entry.fields()))));
            if (events.isEmpty()) {
                drained(partitions);
                return Mono.just(Boolean.TRUE);
            }
            return publisher.publish(events).flatMap(acknowledged -> {
                Map<Integer, List<String>> published = new HashMap<>();
                List<Integer> drained = new ArrayList<>();
                List<Integer> again = new ArrayList<>();
                int index = 0;
                int failed = 0;
                for (OutboxStreams.Read read : reads) {
                    List<String> ids = new ArrayList<>();
                    boolean prefix = true;
                    for (OutboxStreams.Entry entry : read.entries()) {
                        // Only the acknowledged prefix leaves the outbox: from a partition's first failure on,
                        // everything is published again, so no event overtakes an earlier one.
                        prefix &= acknowledged[index++];
                        if (prefix) {
                            ids.add(entry.id());
                        }
                        else {
                            failed++;
                        }
                    }
                    if (!ids.isEmpty()) {
                        published.put(read.partition(), ids);
                    }
                    (prefix && read.entries().size() < settings.batchSize() ? drained : again).add(read.partition());
                }
                metrics.published(events.size() - failed);
                metrics.failed(failed);
                remark(again);
                return (published.isEmpty() ? Mono.<Void>empty() : streams.delete(published))
                        .then(Mono.fromRunnable(() -> drained(drained)))
                        .thenReturn(failed == 0);
            });
        });
    }

    private void remark(List<Integer> partitions) {
        synchronized (marked) {
            partitions.forEach(marked::set);
        }
    }

    private void drained(List<Integer> partitions) {
        synchronized (marked) {
            partitions.forEach(backlogs::remove);
            metrics.backlog(backlogs.values().stream().mapToLong(Long::longValue).sum());
        }
    }

    private Duration pause(boolean succeeded) {
        if (succeeded) {
            failures = 0;
            return Duration.ZERO;
        }
        Duration backoff = settings.minBackoff().multipliedBy(1L << Math.min(failures++, 20));
        return backoff.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : backoff;
    }

    /**
     * Marks the next held partition in turn, for a change whose notice was lost; and once per backlog
     * interval measures the partitions that wait (marked, or with a backlog last time): while Kafka is slow
     * or gone, no pass empties them.
     */
    private void sweep() {
        List<Integer> held = List.copyOf(leases.held());
        if (held.isEmpty()) {
            return;
        }
        mark(held.get(Math.floorMod(sweepCursor.getAndIncrement(), held.size())));
        long now = System.nanoTime();
        if (now - lastMeasured < settings.backlogInterval().toNanos()) {
            return;
        }
        lastMeasured = now;
        List<Integer> waiting = new ArrayList<>();
        synchronized (marked) {
            waiting.addAll(backlogs.keySet());
            marked.stream().filter(partition -> !backlogs.containsKey(partition)).forEach(waiting::add);
        }
        Flux.fromIterable(waiting)
                .filter(leases::holds)
                .flatMap(partition -> redis.opsForStream().size(keys.outbox(partition))
                        .doOnNext(length -> {
                            synchronized (marked) {
                                if (length == 0) {
                                    backlogs.remove(partition);
                                }
                                else {
                                    backlogs.put(partition, length);
                                }
                                metrics.backlog(backlogs.values().stream().mapToLong(Long::longValue).sum());
                            }
                        }), 16)
                .subscribe(null, error -> log.debug("Could not measure the outbox backlog: {}", error.toString()));
    }
}
