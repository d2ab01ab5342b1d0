package app.wallet.event;

import java.time.Duration;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import tools.jackson.databind.json.JsonMapper;

import app.wallet.config.WalletProperties;
import app.wallet.store.LuaScript;
import app.wallet.store.WalletChanges;
import app.wallet.store.WalletKeys;

/** The Kafka side: the publisher, the outbox relay and Kafka's health. */
@Configuration(proxyBeanMethods = false)
class EventsConfiguration {

    private final String bootstrapServers;

    EventsConfiguration(@Value("${spring.kafka.bootstrap-servers:localhost:9092}") String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    /** Closed with the context, after the relay has stopped; the relay may start again before that. */
    @Bean(destroyMethod = "close")
    EventPublisher eventPublisher(WalletProperties properties, JsonMapper json) {
        return new EventPublisher(bootstrapServers, properties.kafka().topic(), json);
    }

    /** Made with the relay off too: it then only heartbeats, so every serving instance is known. */
    @Bean
    OutboxRelay outboxRelay(ReactiveStringRedisTemplate redis, WalletKeys keys, EventPublisher publisher,
            WalletProperties properties, LuaScript outboxAssignScript, LuaScript outboxReleaseScript,
            WalletChanges changes, OutboxMetrics metrics) {
        return new OutboxRelay(redis, keys, publisher, properties.outbox(), outboxAssignScript, outboxReleaseScript,
                changes, metrics);
    }

    @Bean
    OutboxMetrics outboxMetrics(MeterRegistry registry) {
        return new OutboxMetrics(registry);
    }

    @Bean
    LuaScript outboxAssignScript() {
        return LuaScript.load("outbox-assign");
    }

    @Bean
    LuaScript outboxReleaseScript() {
        return LuaScript.load("outbox-release");
    }

    @Bean(destroyMethod = "close")
    Admin kafkaAdmin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, "wallet-health",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000));
    }

    @Bean
    KafkaHealthIndicator kafkaHealthIndicator(Admin kafkaAdmin) {
        return new KafkaHealthIndicator(kafkaAdmin, Duration.ofSeconds(3));
    }
}
