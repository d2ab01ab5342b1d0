package app.wallet.support;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.testcontainers.kafka.KafkaContainer;

/**
 * A real Kafka broker (KRaft) for tests and for the local run: a container where Docker is available,
 * otherwise an in-process broker from spring-kafka-test. Either way the relay talks the Kafka protocol
 * to a real broker; there is no fake.
 */
public final class LocalKafka implements AutoCloseable {

    public static final String TOPIC = "wallet.events";

    private static final Logger log = LoggerFactory.getLogger(LocalKafka.class);
    private static volatile LocalKafka shared;

    private final String bootstrapServers;
    private final AutoCloseable broker;

    private LocalKafka(String bootstrapServers, AutoCloseable broker) {
        this.bootstrapServers = bootstrapServers;
        this.broker = broker;
    }

    public static LocalKafka shared() {
        if (shared == null) {
            synchronized (LocalKafka.class) {
                if (shared == null) {
                    shared = start();
                    Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "kafka-shutdown"));
                }
            }
        }
        return shared;
    }

    public static LocalKafka start() {
        if (LocalRedis.dockerAvailable()) {
            KafkaContainer container = new KafkaContainer("apache/kafka-native:4.1.1");
            container.start();
            log.info("Kafka container started at {}", container.getBootstrapServers());
            return new LocalKafka(container.getBootstrapServers(), container);
        }
        return startInProcess();
    }

    public static LocalKafka startInProcess() {
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 4, TOPIC);
        broker.afterPropertiesSet();
        log.info("In-process Kafka broker started at {}", broker.getBrokersAsString());
        return new LocalKafka(broker.getBrokersAsString(), broker::destroy);
    }

    /**
     * An in-process broker that advertises {@code proxy}'s address, so every client connection, not only
     * the first, passes through the proxy: cutting it makes the broker unreachable while it keeps running.
     */
    public static LocalKafka startBehindProxy(TcpProxy proxy) {
        // No topic at start: creating it needs the proxy, which needs the broker's port first.
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 4);
        broker.brokerProperty("advertised.listeners", "EXTERNAL://127.0.0.1:" + proxy.port());
        broker.afterPropertiesSet();
        String real = broker.getBrokersAsString();
        proxy.forwardTo(Integer.parseInt(real.substring(real.lastIndexOf(':') + 1)));
        broker.addTopics(TOPIC);
        log.info("In-process Kafka broker at {}, reached through 127.0.0.1:{}", real, proxy.port());
        return new LocalKafka("127.0.0.1:" + proxy.port(), () -> {
            proxy.close();
            broker.destroy();
        });
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() {
        try {
            broker.close();
        }
        catch (Exception e) {
            log.warn("Could not stop Kafka cleanly: {}", e.toString());
        }
    }
}
