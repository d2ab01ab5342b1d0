package app.wallet.event;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** The outbox's metrics; registered whether or not this instance relays, so every instance exports them. */
public class OutboxMetrics {

    private final AtomicLong backlog = new AtomicLong();
    private final AtomicInteger held = new AtomicInteger();
    private final Counter published;
    private final Counter failures;

    /** {@code partitions}: the deployment's partition count, exported so the relayed ones can be compared with it. */
    public OutboxMetrics(MeterRegistry registry, int partitions) {
        this.published = Counter.builder("wallet.events.published")
                .description("Wallet events acknowledged by Kafka").register(registry);
        this.failures = Counter.builder("wallet.events.publish.failures")
                .description("Wallet events Kafka did not acknowledge; they stay in the outbox and are retried")
                .register(registry);
        Gauge.builder("wallet.outbox.backlog", backlog, AtomicLong::get)
                .description("Events committed but not yet acknowledged by Kafka").register(registry);
        // Summed over instances, held below the partition count means some partitions have no relay.
        Gauge.builder("wallet.outbox.partitions.held", held, AtomicInteger::get)
                .description("Outbox partitions this instance relays").register(registry);
        Gauge.builder("wallet.outbox.partitions", () -> partitions)
                .description("Outbox partitions of the deployment (wallet.partitions)").register(registry);
    }

    void published(int count) {
        published.increment(count);
    }

    void failed(int count) {
        failures.increment(count);
    }

    void held(int count) {
        held.set(count);
    }

    void backlog(long entries) {
        backlog.set(entries);
    }

    /** The last measured backlog. */
    public long backlog() {
        return backlog.get();
    }
}
