package bench;

import java.util.concurrent.CountDownLatch;

import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A real Kafka broker (KRaft, one node) in a JVM of its own, so that its CPU is not the service's:
 * {@code KafkaBroker <topic>}. Prints {@code kafka ready <bootstrap>} once the topic exists (the broker
 * listens on a port of its choosing: clients must take that address) and runs until it is stopped.
 */
public final class KafkaBroker {

    public static void main(String[] args) throws InterruptedException {
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 4, args[0]);
        broker.afterPropertiesSet();
        Runtime.getRuntime().addShutdownHook(new Thread(broker::destroy, "kafka-stop"));
        System.out.println("kafka ready " + broker.getBrokersAsString());
        new CountDownLatch(1).await();
    }
}
