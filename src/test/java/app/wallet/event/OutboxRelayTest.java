package app.wallet.event;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import app.wallet.config.WalletProperties;
import app.wallet.store.OutboxStreams;
import app.wallet.store.WalletChanges;
import app.wallet.store.WalletKeys;
import app.wallet.support.KafkaEvents;
import app.wallet.support.LocalKafka;
import app.wallet.support.LocalRedis;
import app.wallet.support.ApiContract;
import app.wallet.support.Authorized;
import app.wallet.support.RedisWire;
import app.wallet.support.TcpProxy;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The relay under failure, with its own Redis and broker: relays are made here, so the test decides when
 * one dies, and the broker is reached through a proxy the test cuts to take Kafka away.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "wallet.outbox.relay-enabled=false")
@DirtiesContext
class OutboxRelayTest {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelayTest.class);
    private static final LocalRedis REDIS = LocalRedis.startProcess();
    private static final TcpProxy KAFKA_PROXY = new TcpProxy(LocalRedis.freePort());
    private static final LocalKafka KAFKA = LocalKafka.startBehindProxy(KAFKA_PROXY);

    @LocalServerPort
    private int port;
    @Autowired
    private ReactiveStringRedisTemplate redis;
    @Autowired
    private WalletKeys keys;
    @Autowired
    private JsonMapper json;
    @Autowired
    private WalletProperties properties;
    @Autowired
    private WalletChanges changes;
    @Autowired
    private OutboxStreams streams;

    private final List<OutboxRelay> relays = Collections.synchronizedList(new ArrayList<>());
    private final List<EventPublisher> publishers = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void closePublishers() {
        relays.forEach(OutboxRelay::abandon);
        publishers.forEach(EventPublisher::close);
    }

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        Authorized.trustLocalTokens(registry);
        registry.add("spring.data.redis.host", REDIS::host);
        registry.add("spring.data.redis.port", REDIS::port);
        registry.add("spring.kafka.bootstrap-servers", KAFKA::bootstrapServers);
    }

    @AfterAll
    static void stopServers() {
        KAFKA.close();
        REDIS.close();
    }

    @Test
    void aRelayKilledMidStreamLosesNoEventAndRepeatsOnlyWithTheSameEventId() {
        OutboxRelay first = relay();
        OutboxRelay second = relay();
        first.start();
        second.start();
        List<String> users = users("failover", 5);

        try (KafkaEvents events = new KafkaEvents(KAFKA.bootstrapServers())) {
            var changes = credits(users, 300, 20).subscribe();
            events.await(Set.copyOf(users), received -> received.size() >= 60, Duration.ofSeconds(30));
            first.abandon();
            OutboxRelay restarted = relay();
            restarted.start();
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(changes::isDisposed);

            List<JsonNode> received = events.await(Set.copyOf(users), all -> distinctIds(all).size() >= 300,
                    Duration.ofSeconds(60));
            assertThat(distinctIds(received)).hasSize(300);
            assertRepeatsAreIdentical(received);
            assertFirstArrivalsInVersionOrder(received);
        }
    }

    @Test
    void duringAKafkaOutageEveryChangeSucceedsAndNoEventIsLost() {
        OutboxRelay relay = relay();
        relay.start();
        List<String> users = users("outage", 10);
        timedCredits(users, 500);
        List<Long> up = timedCredits(users, 500);

        KAFKA_PROXY.cut();
        List<Long> down = timedCredits(users, 500);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> relay.backlog() >= 500);
        log.info("Credit latency, Kafka up:   p50 {} ms, p99 {} ms", percentile(up, 50), percentile(up, 99));
        log.info("Credit latency, Kafka down: p50 {} ms, p99 {} ms", percentile(down, 50), percentile(down, 99));

        KAFKA_PROXY.restore();
        try (KafkaEvents events = new KafkaEvents(KAFKA.bootstrapServers())) {
            List<JsonNode> received = events.await(Set.copyOf(users), all -> distinctIds(all).size() >= 1500,
                    Duration.ofSeconds(90));
            assertThat(distinctIds(received)).as("every event, those made while Kafka was down included")
                    .hasSize(1500);
            assertFirstArrivalsInVersionOrder(received);
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> relay.backlog() == 0);
    }

    @Test
    void relaysShareThePartitionsAndACrashedOnesShareIsTakenWithinSeconds() {
        OutboxRelay first = relay();
        OutboxRelay second = relay();
        first.start();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> first.partitions().size() == keys.partitions());
        second.start();
        // Each at most its fair share, together all of them, none twice.
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(first.partitions()).hasSize(keys.partitions() / 2);
            assertThat(second.partitions()).hasSize(keys.partitions() / 2).doesNotContainAnyElementsOf(first.partitions());
        });

        List<String> users = users("takeover", 20);
        try (KafkaEvents events = new KafkaEvents(KAFKA.bootstrapServers())) {
            credits(users, 100, 10).blockLast(Duration.ofSeconds(30));
            first.abandon();
            long crashed = System.nanoTime();
            Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                    .until(() -> second.partitions().size() == keys.partitions());
            Duration takeover = Duration.ofNanos(System.nanoTime() - crashed);
            credits(users, 100, 10).blockLast(Duration.ofSeconds(30));
            log.info("A crashed relay's partitions were taken over in {} ms", takeover.toMillis());
            // Its heartbeat's time to live (1 s here) and the survivor's next heartbeat, not a lease of 30 s.
            assertThat(takeover).isLessThan(Duration.ofSeconds(5));

            List<JsonNode> received = events.await(Set.copyOf(users), all -> distinctIds(all).size() >= 200,
                    Duration.ofSeconds(30));
            assertThat(distinctIds(received)).hasSize(200);
            assertFirstArrivalsInVersionOrder(received);
        }
    }

    @Test
    void aRelayCutFromRedisStopsRelayingBeforeItsHeartbeatExpiresAndTakesBackItsShareAfter() throws IOException {
        OutboxRelay relay = relay();
        relay.start();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> relay.partitions().size() == keys.partitions());
        REDIS.pause();
        try {
            // Its heartbeat lives 1 s; it lets go once 800 ms pass without one answered.
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> relay.partitions().isEmpty());
        }
        finally {
            REDIS.resume();
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> relay.partitions().size() == keys.partitions());
    }

    @Test
    void aChangeSubscriptionDroppedAndRestoredByLettuceIsAnnounced() {
        List<WalletChanges.Notice> notices = Collections.synchronizedList(new ArrayList<>());
        var listening = changes.notices().filter(WalletChanges.Notice::resubscribed).subscribe(notices::add);
        try {
            // Redis drops the subscription's connection; Lettuce reconnects and subscribes again by itself,
            // and whatever was published meanwhile is lost: the relay must be told to look.
            assertThat(RedisWire.call(REDIS.port(), "CLIENT", "KILL", "TYPE", "pubsub")).isNotEqualTo(":0");
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !notices.isEmpty());
        }
        finally {
            listening.dispose();
        }
    }

    @Test
    void anIdleRelayCostsAFewCommandsASecondWhateverThePartitionCount() throws InterruptedException {
        List<OutboxRelay> three = List.of(relay(), relay(), relay());
        three.forEach(OutboxRelay::start);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                three.stream().mapToInt(relay -> relay.partitions().size()).sum() == keys.partitions());
        Thread.sleep(1_000);

        long before = commandsSent();
        Thread.sleep(5_000);
        double perSecond = (commandsSent() - before) / 5.0;
        log.info("Idle: {} commands/s for {} partitions and 3 relays (and this instance's heartbeat)", perSecond,
                keys.partitions());
        // Per relay: five heartbeats and four sweeps of two reads a second; polling each partition would be
        // thousands a second for 1,024 partitions.
        assertThat(perSecond).isLessThan(3 * 13 + 10);
    }

    /** Commands clients sent: the scripts, and the reads and deletes the relay sends on its own (not those a script runs). */
    private static long commandsSent() {
        return RedisWire.call(REDIS.port(), "INFO", "commandstats").lines()
                .filter(line -> line.matches("cmdstat_(evalsha|eval|xrange|xlen|xdel):.*"))
                .mapToLong(line -> Long.parseLong(line.replaceAll(".*:calls=(\\d+),.*", "$1")))
                .sum();
    }

    private OutboxRelay relay() {
        WalletProperties.Outbox settings = new WalletProperties.Outbox(true, 50, Duration.ofMillis(200),
                Duration.ofSeconds(1), Duration.ofMillis(250), Duration.ofMillis(100), Duration.ofSeconds(1),
                Duration.ofMillis(200));
        EventPublisher publisher = new EventPublisher(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
                properties.kafka().topic(), json);
        publishers.add(publisher);
        OutboxRelay relay = new OutboxRelay(redis, streams, keys, publisher, settings,
                new OutboxLeases(redis, keys, settings), changes,
                new OutboxMetrics(new SimpleMeterRegistry(), keys.partitions()));
        relays.add(relay);
        return relay;
    }

    private static List<String> users(String prefix, int count) {
        List<String> users = IntStream.range(0, count).mapToObj(i -> prefix + "-" + i + "-" + System.nanoTime()).toList();
        Authorized.signAhead(users);
        return users;
    }

    private Flux<Integer> credits(List<String> users, int count, int concurrency) {
        WebClient web = WebClient.builder().baseUrl("http://127.0.0.1:" + port + "/api/v1")
                .filter(ApiContract.checked()).filter(Authorized.asOwnerWithEveryScope()).build();
        return Flux.range(0, count).flatMap(i -> web.post().uri("/wallets/{u}/credits", users.get(i % users.size()))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("amount", 1 + i))
                .exchangeToMono(response -> Mono.just(response.statusCode().value())), concurrency)
                .doOnNext(status -> assertThat(status).isEqualTo(200));
    }

    /** Each credit's response time in milliseconds, ten in flight at a time. */
    private List<Long> timedCredits(List<String> users, int count) {
        WebClient web = WebClient.builder().baseUrl("http://127.0.0.1:" + port + "/api/v1")
                .filter(ApiContract.checked()).filter(Authorized.asOwnerWithEveryScope()).build();
        return Flux.range(0, count).flatMap(i -> Mono.defer(() -> {
            long start = System.nanoTime();
            return web.post().uri("/wallets/{u}/credits", users.get(i % users.size()))
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("amount", 1 + i))
                    .exchangeToMono(response -> Mono.just(response.statusCode().value()))
                    .doOnNext(status -> assertThat(status).isEqualTo(200))
                    .map(status -> (System.nanoTime() - start) / 1_000_000);
        }), 10).collectList().block(Duration.ofSeconds(60));
    }

    private static long percentile(List<Long> values, int percentile) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(Math.min(sorted.size() - 1, sorted.size() * percentile / 100));
    }

    private static Set<String> distinctIds(List<JsonNode> events) {
        return events.stream().map(e -> e.get("eventId").stringValue()).collect(Collectors.toSet());
    }

    private static void assertRepeatsAreIdentical(List<JsonNode> events) {
        Map<String, JsonNode> first = new HashMap<>();
        for (JsonNode event : events) {
            JsonNode earlier = first.putIfAbsent(event.get("eventId").stringValue(), event);
            if (earlier != null) {
                assertThat(event).as("a repeat of %s", earlier).isEqualTo(earlier);
            }
        }
    }

    /** Repeats aside, each user's events arrive in walletVersion order. */
    private static void assertFirstArrivalsInVersionOrder(List<JsonNode> events) {
        Set<String> seen = new java.util.HashSet<>();
        Map<String, Long> lastVersion = new HashMap<>();
        for (JsonNode event : events) {
            if (seen.add(event.get("eventId").stringValue())) {
                long version = event.get("walletVersion").longValue();
                Long previous = lastVersion.put(event.get("userId").stringValue(), version);
                assertThat(version).as("version after %s", previous).isGreaterThan(previous == null ? 0 : previous);
            }
        }
    }
}
