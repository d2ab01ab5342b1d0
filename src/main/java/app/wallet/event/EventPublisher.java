package app.wallet.event;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.kafka.sender.KafkaSender;
import reactor.kafka.sender.SenderOptions;
import reactor.kafka.sender.SenderRecord;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one class that knows reactor-kafka, which is discontinued upstream: replacing it means
 * rewriting this class only.
 *
 * <p>The producer is idempotent with {@code acks=all}, so a retry inside the client never duplicates
 * or reorders records of one partition; {@code stopOnError(false)} lets one failed record be reported
 * without closing the sender.
 */
public class EventPublisher implements AutoCloseable {

    private final KafkaSender<String, byte[]> sender;
    private final String topic;
    private final JsonMapper json;

    public EventPublisher(String bootstrapServers, String topic, JsonMapper json) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "wallet-outbox-relay");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // While Kafka is down, fail a batch within seconds and let the relay back off, instead of
        // holding it for the default two minutes.
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        SenderOptions<String, byte[]> options = SenderOptions.<String, byte[]>create(config)
                .maxInFlight(512)
                .stopOnError(false);
        this.sender = KafkaSender.create(options);
        // The producer is made on first use otherwise, on whatever thread sends first: a Redis event loop,
        // which its set-up (threads, JMX registration) would block. It connects to no broker yet.
        sender.doOnProducer(producer -> Boolean.TRUE).block(Duration.ofSeconds(30));
        this.topic = topic;
        this.json = json;
    }

    /** Whether each event was acknowledged by Kafka, in the order given; false from the first failure on. */
    public Mono<List<Boolean>> publish(List<WalletEvent> events) {
        Flux<SenderRecord<String, byte[], Integer>> records = Flux.range(0, events.size())
                .map(i -> SenderRecord.create(new ProducerRecord<>(topic, events.get(i).userId(),
                        json.writeValueAsBytes(events.get(i))), i));
        // The first failure ends the batch: the records after it are not sent now, but again after it,
        // and a broker that is down fails one record's wait instead of every record's in turn.
        return sender.send(records)
                .takeUntil(result -> result.exception() != null)
                .collectList()
                .map(results -> {
                    Boolean[] acknowledged = new Boolean[events.size()];
                    Arrays.fill(acknowledged, false);
                    results.forEach(result -> acknowledged[result.correlationMetadata()] = result.exception() == null);
                    return List.of(acknowledged);
                });
    }

    @Override
    public void close() {
        sender.close();
    }
}
