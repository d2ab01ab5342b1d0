package app.wallet.event;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
 * <p>The producer is made from Spring Boot's {@code spring.kafka.*} producer properties (SSL, SASL,
 * {@code spring.kafka.producer.*}, {@code spring.kafka.properties.*}), with the service's defaults where
 * they say nothing, and the settings the outbox's guarantees rest on always: idempotent with
 * {@code acks=all} and at most 5 requests in flight, so a retry inside the client never duplicates or
 * reorders records of one partition. {@code stopOnError(false)} lets one failed record be reported
 * without closing the sender.
 *
 * <p>Each record carries {@code content-type: application/json} and the CloudEvents 1.0 binary-mode
 * headers ({@code ce_specversion}, {@code ce_id} = eventId, {@code ce_type}, {@code ce_source},
 * {@code ce_time}, {@code ce_subject} = userId), and the W3C {@code traceparent} of the request that made
 * the change where there was one; the value is the event's JSON, unchanged.
 */
public class EventPublisher implements AutoCloseable {

    /** {@code ce_type} is this prefix and the event's type, e.g. {@code app.wallet.WALLET_CREDITED}. */
    static final String CLOUD_EVENT_TYPE_PREFIX = "app.wallet.";
    static final String CLOUD_EVENT_SOURCE = "/wallet-service";

    private final KafkaSender<String, byte[]> sender;
    private final String topic;
    private final JsonMapper json;

    /** {@code producerProperties}: Spring Boot's {@code KafkaProperties.buildProducerProperties()}. */
    public EventPublisher(Map<String, Object> producerProperties, String topic, JsonMapper json) {
        SenderOptions<String, byte[]> options = SenderOptions.<String, byte[]>create(producerConfig(producerProperties))
                .maxInFlight(512)
                .stopOnError(false);
        this.sender = KafkaSender.create(options);
        // The producer is made on first use otherwise, on whatever thread sends first: a Redis event loop,
        // which its set-up (threads, JMX registration) would block. It connects to no broker yet.
        sender.doOnProducer(producer -> Boolean.TRUE).block(Duration.ofSeconds(30));
        this.topic = topic;
        this.json = json;
    }

    /** The producer's configuration: {@code configured}, the service's defaults, and what must hold whatever is configured. */
    static Map<String, Object> producerConfig(Map<String, Object> configured) {
        Map<String, Object> config = new HashMap<>(configured);
        config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "wallet-outbox-relay");
        config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        if (!config.containsKey(ProducerConfig.MAX_BLOCK_MS_CONFIG) && !config.containsKey(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG)
                && !config.containsKey(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG)) {
            // While Kafka is down, fail a batch within seconds and let the relay back off, instead of
            // holding it for the default two minutes. Set together: Kafka refuses a delivery timeout
            // shorter than linger plus request timeout.
            config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
            config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
            config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
        }
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        Object inFlight = config.get(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION);
        if (inFlight == null || Integer.parseInt(inFlight.toString().trim()) > 5) {
            config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        }
        // All events of a wallet go to the partition of its key, in order; no transactions (the relay uses none).
        config.put(ProducerConfig.PARTITIONER_IGNORE_KEYS_CONFIG, false);
        config.remove(ProducerConfig.PARTITIONER_CLASS_CONFIG);
        config.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return config;
    }

    /**
     * Whether each event was acknowledged by Kafka, in the order given. All are handed to the producer at
     * once (up to {@code maxInFlight}), which batches them per Kafka partition; a broker that is down
     * fails them together after the delivery timeout, not one after the other.
     */
    public Mono<boolean[]> publish(List<WalletEvent> events) {
        Flux<SenderRecord<String, byte[], Integer>> records = Flux.range(0, events.size())
                .map(i -> SenderRecord.create(record(events.get(i)), i));
        boolean[] acknowledged = new boolean[events.size()];
        return sender.send(records)
                .doOnNext(result -> acknowledged[result.correlationMetadata()] = result.exception() == null)
                .then(Mono.fromSupplier(() -> acknowledged));
    }

    private ProducerRecord<String, byte[]> record(WalletEvent event) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, event.userId(), json.writeValueAsBytes(event));
        record.headers()
                .add("content-type", bytes("application/json"))
                .add("ce_specversion", bytes("1.0"))
                .add("ce_id", bytes(event.eventId()))
                .add("ce_type", bytes(CLOUD_EVENT_TYPE_PREFIX + event.type()))
                .add("ce_source", bytes(CLOUD_EVENT_SOURCE))
                .add("ce_time", bytes(event.occurredAt().toString()))
                .add("ce_subject", bytes(event.userId()));
        if (event.traceParent() != null) {
            record.headers().add("traceparent", bytes(event.traceParent()));
        }
        return record;
    }

    private static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        sender.close();
    }
}
