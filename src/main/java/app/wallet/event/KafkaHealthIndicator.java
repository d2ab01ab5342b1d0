package app.wallet.event;

import java.time.Duration;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.springframework.boot.health.contributor.AbstractReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import reactor.core.publisher.Mono;

/**
 * Kafka's health as the relay sees it. It is left out of the readiness group: the service keeps taking
 * money changes while Kafka is down, and the outbox holds their events until it is back.
 */
class KafkaHealthIndicator extends AbstractReactiveHealthIndicator {

    private final Admin admin;
    private final Duration timeout;

    KafkaHealthIndicator(Admin admin, Duration timeout) {
        super("Kafka health check failed");
        this.admin = admin;
        this.timeout = timeout;
    }

    @Override
    protected Mono<Health> doHealthCheck(Health.Builder builder) {
        var cluster = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()));
        return Mono.fromFuture(cluster.nodes().toCompletionStage().toCompletableFuture())
                .map(nodes -> builder.up().withDetail("brokers", nodes.size()).build())
                .timeout(timeout.plusSeconds(1));
    }
}
