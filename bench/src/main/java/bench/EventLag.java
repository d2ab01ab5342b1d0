package bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * How long a change takes to reach Kafka: {@code EventLag <bootstrap> <topic> <seconds>} reads the topic
 * from its end for that long and, for every event, compares the time it was read with the change's
 * {@code occurredAt} (the instant the script ran, a fraction of a millisecond before the change was
 * answered; same machine, same clock). Prints {@code lag ready} once it reads, then
 * {@code lag <events> <p50 ms> <p99 ms> <max ms>}.
 */
public final class EventLag {

    private static final Pattern OCCURRED_AT = Pattern.compile("\"occurredAt\":\"([^\"]+)\"");

    public static void main(String[] args) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0],
                ConsumerConfig.GROUP_ID_CONFIG, "bench-lag-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        long end = System.nanoTime() + Duration.ofSeconds(Long.parseLong(args[2])).toNanos();
        List<Long> lags = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            consumer.subscribe(List.of(args[1]));
            long joinBy = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (consumer.assignment().isEmpty()) {
                if (System.nanoTime() > joinBy) {
                    System.out.println("lag probe: no partition assigned within 30 s");
                    System.exit(1);
                }
                consumer.poll(Duration.ofMillis(100));
            }
            consumer.seekToEnd(consumer.assignment());
            consumer.assignment().forEach(consumer::position);
            System.out.println("lag ready");
            while (System.nanoTime() < end) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(20))) {
                    long now = System.currentTimeMillis();
                    Matcher occurredAt = OCCURRED_AT.matcher(record.value());
                    if (occurredAt.find()) {
                        lags.add(now - java.time.Instant.parse(occurredAt.group(1)).toEpochMilli());
                    }
                }
            }
        }
        Collections.sort(lags);
        if (lags.isEmpty()) {
            System.out.println("lag 0 - - -");
            return;
        }
        System.out.printf("lag %d %d %d %d%n", lags.size(), lags.get(lags.size() / 2),
                lags.get(Math.min(lags.size() - 1, lags.size() * 99 / 100)), lags.get(lags.size() - 1));
    }
}
