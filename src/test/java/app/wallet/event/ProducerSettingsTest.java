package app.wallet.event;

import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The relay's producer is configured like any Spring Boot app's (spring.kafka.*), except for what the
 * outbox's guarantees rest on.
 */
class ProducerSettingsTest {

    @Test
    void springKafkaSettingsReachTheProducer() {
        Map<String, Object> config = producerConfig(Map.of(
                "spring.kafka.bootstrap-servers", "kafka-1.internal:9093,kafka-2.internal:9093",
                "spring.kafka.security.protocol", "SASL_SSL",
                "spring.kafka.ssl.trust-store-location", "file:/etc/kafka/truststore.p12",
                "spring.kafka.ssl.trust-store-password", "secret",
                "spring.kafka.properties.sasl.mechanism", "SCRAM-SHA-512",
                "spring.kafka.producer.client-id", "wallet-eu-1",
                "spring.kafka.producer.compression-type", "zstd",
                "spring.kafka.producer.properties.linger.ms", "20"));

        assertThat(config).containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, List.of("kafka-1.internal:9093", "kafka-2.internal:9093"))
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("ssl.truststore.password", "secret")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry(ProducerConfig.CLIENT_ID_CONFIG, "wallet-eu-1")
                .containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd")
                .containsEntry(ProducerConfig.LINGER_MS_CONFIG, "20");
        assertThat(config.get("ssl.truststore.location").toString()).endsWith("/etc/kafka/truststore.p12");
    }

    @Test
    void theOutboxGuaranteesHoldWhateverIsConfigured() {
        Map<String, Object> config = producerConfig(Map.of(
                "spring.kafka.producer.acks", "1",
                "spring.kafka.producer.properties.enable.idempotence", "false",
                "spring.kafka.producer.properties.max.in.flight.requests.per.connection", "20",
                "spring.kafka.producer.key-serializer", "org.apache.kafka.common.serialization.ByteArraySerializer",
                "spring.kafka.producer.transaction-id-prefix", "tx-",
                "spring.kafka.producer.properties.partitioner.ignore.keys", "true",
                "spring.kafka.producer.properties.partitioner.class", "org.apache.kafka.clients.producer.RoundRobinPartitioner"));

        assertThat(config).containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
                .containsEntry(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5)
                .containsEntry(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class)
                .containsEntry(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class)
                // a wallet's events stay on the partition of its key, sent one by one
                .containsEntry(ProducerConfig.PARTITIONER_IGNORE_KEYS_CONFIG, false)
                .doesNotContainKeys(ProducerConfig.PARTITIONER_CLASS_CONFIG, ProducerConfig.TRANSACTIONAL_ID_CONFIG);
    }

    @Test
    void theServiceDefaultsApplyWhereNothingIsSet() {
        Map<String, Object> defaults = producerConfig(Map.of());
        Map<String, Object> ownTimeout = producerConfig(Map.of("spring.kafka.producer.properties.request.timeout.ms", "30000"));

        assertThat(defaults).containsEntry(ProducerConfig.CLIENT_ID_CONFIG, "wallet-outbox-relay")
                .containsEntry(ProducerConfig.LINGER_MS_CONFIG, 5)
                .containsEntry(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000)
                .containsEntry(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000)
                .containsEntry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
        // One timeout set: the others keep Kafka's defaults, which Kafka checks against each other.
        assertThat(ownTimeout).containsEntry(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000")
                .doesNotContainKeys(ProducerConfig.MAX_BLOCK_MS_CONFIG, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG);
    }

    /** The producer configuration the service would make from these spring.kafka.* settings, bound as Boot binds them. */
    private static Map<String, Object> producerConfig(Map<String, String> settings) {
        KafkaProperties kafka = new Binder(new MapConfigurationPropertySource(settings))
                .bindOrCreate("spring.kafka", KafkaProperties.class);
        return EventPublisher.producerConfig(kafka.buildProducerProperties());
    }
}
