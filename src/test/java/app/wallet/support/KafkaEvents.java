package app.wallet.support;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the events topic with a plain KafkaConsumer, as any downstream service would, and fails on an event
 * that breaks the published schema ({@link EventSchema}).
 */
public final class KafkaEvents implements AutoCloseable {

    private static final JsonMapper JSON = new JsonMapper();

    private final KafkaConsumer<String, String> consumer;
    private final List<JsonNode> received = new ArrayList<>();
    private final Map<String, Map<String, String>> headers = new HashMap<>();

    public KafkaEvents(String bootstrapServers) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class));
        consumer.subscribe(List.of(LocalKafka.TOPIC));
    }

    /** Polls until {@code done} holds for the events of {@code users} received so far, or the time is up. */
    public List<JsonNode> await(Set<String> users, Predicate<List<JsonNode>> done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                if (users.contains(record.key())) {
                    JsonNode event = JSON.readTree(record.value());
                    // Every event any test consumes is held to the published contract.
                    List<String> violations = EventSchema.violations(event);
                    if (!violations.isEmpty()) {
                        throw new AssertionError("Event " + event + " breaks contracts/wallet-event.schema.json: " + violations);
                    }
                    received.add(event);
                    Map<String, String> recordHeaders = new HashMap<>();
                    record.headers().forEach(h -> recordHeaders.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
                    headers.put(event.get("eventId").stringValue(), recordHeaders);
                }
            }
            if (done.test(received)) {
                break;
            }
        }
        return List.copyOf(received);
    }

    /** The headers of the records received so far, by the eventId of their value (the last record's if redelivered). */
    public Map<String, Map<String, String>> headersByEventId() {
        return Map.copyOf(headers);
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
