package app.wallet.event;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.StringUtils;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import app.wallet.config.WalletProperties;
import app.wallet.store.OutboxStreams;
import app.wallet.store.WalletChanges;
import app.wallet.store.WalletKeys;

/** The Kafka side: the publisher, the outbox relay and Kafka's health, configured by {@code spring.kafka.*}. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(KafkaProperties.class)
class EventsConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EventsConfiguration.class);

    /** Closed with the context, after the relay has stopped; the relay may start again before that. */
    @Bean(destroyMethod = "close")
    EventPublisher eventPublisher(KafkaProperties kafka, WalletProperties properties, JsonMapper json) {
        if (StringUtils.hasText(kafka.getSsl().getBundle())) {
            // Spring Boot applies SSL bundles in its Kafka auto-configuration, which the service does not use.
            throw new IllegalStateException("spring.kafka.ssl.bundle is not supported: set spring.kafka.ssl.key-store-* "
                    + "and trust-store-* (or spring.kafka.properties.ssl.*) instead");
        }
        return new EventPublisher(kafka.buildProducerProperties(), properties.kafka().topic(), json);
    }

    /** Made with the relay off too: it then only heartbeats, so every serving instance is known. */
    @Bean
    OutboxRelay outboxRelay(ReactiveStringRedisTemplate redis, OutboxStreams streams, WalletKeys keys,
            EventPublisher publisher, WalletProperties properties, WalletChanges changes, OutboxMetrics metrics) {
        OutboxLeases leases = new OutboxLeases(redis, keys, properties.outbox());
        return new OutboxRelay(redis, streams, keys, publisher, properties.outbox(), leases, changes, metrics);
    }

    @Bean
    OutboxMetrics outboxMetrics(MeterRegistry registry, WalletKeys keys) {
        return new OutboxMetrics(registry, keys.partitions());
    }

    /** The health check's client: {@code spring.kafka.*} admin properties (SSL, SASL), and answers within 3 s. */
    @Bean(destroyMethod = "close")
    Admin kafkaHealthAdmin(KafkaProperties kafka) {
        Map<String, Object> config = new HashMap<>(kafka.buildAdminProperties());
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "wallet-health");
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
        return Admin.create(config);
    }

    /**
     * Kafka's health as the relay sees it. It is left out of the readiness group: the service keeps taking
     * money changes while Kafka is down, and the outbox holds their events until it is back.
     */
    @Bean
    ReactiveHealthIndicator kafkaHealthIndicator(Admin kafkaHealthAdmin) {
        return () -> Mono.fromFuture(() -> kafkaHealthAdmin.describeCluster(new DescribeClusterOptions().timeoutMs(3_000))
                        .nodes().toCompletionStage().toCompletableFuture())
                .map(nodes -> Health.up().withDetail("brokers", nodes.size()).build())
                .timeout(Duration.ofSeconds(4))
                .onErrorResume(error -> {
                    log.warn("Kafka health check failed: {}", error.toString());
                    return Mono.just(Health.down(error).build());
                });
    }
}
