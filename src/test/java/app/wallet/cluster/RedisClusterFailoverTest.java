package app.wallet.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import io.lettuce.core.cluster.SlotHash;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import app.wallet.WalletApplication;
import app.wallet.store.WalletKeys;
import app.wallet.support.ApiContract;
import app.wallet.support.Authorized;
import app.wallet.support.Invariants;
import app.wallet.support.KafkaEvents;
import app.wallet.support.LocalKafka;
import app.wallet.support.Pages;
import app.wallet.support.LocalTokens;
import app.wallet.support.RedisCluster;
import app.wallet.support.WalletApi;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service on a real Redis Cluster, three masters with a replica each, and two instances of it: the
 * contract holds across instances, and a master killed or frozen under load loses no acknowledged
 * change, answers no 500, and every change still reaches Kafka.
 *
 * <p>The load retries every change with its Idempotency-Key until it is acknowledged, as a client
 * should; so at the end each wallet must hold exactly the sum of what was acknowledged: less is a lost
 * change, more a change applied twice.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisClusterFailoverTest {

    private static final Logger log = LoggerFactory.getLogger(RedisClusterFailoverTest.class);
    private static final JsonMapper JSON = new JsonMapper();
    private static final Duration LOAD = Duration.ofSeconds(20);

    private RedisCluster cluster;
    private final List<ConfigurableApplicationContext> instances = new ArrayList<>();
    private final List<String> baseUrls = new ArrayList<>();
    private final WalletKeys keys = new WalletKeys(1024);
    /** Every wallet the tests made, for the audit at the end. */
    private final Set<String> wallets = ConcurrentHashMap.newKeySet();

    @BeforeAll
    void start() {
        cluster = RedisCluster.start(3, 1);
        for (int i = 0; i < 2; i++) {
            ConfigurableApplicationContext instance = instance();
            instances.add(instance);
            baseUrls.add("http://127.0.0.1:" + instance.getEnvironment().getProperty("local.server.port"));
        }
    }

    @AfterAll
    void stop() {
        instances.forEach(ConfigurableApplicationContext::close);
        if (cluster != null) {
            cluster.close();
        }
    }

    private ConfigurableApplicationContext instance() {
        return instance("1s", null);
    }

    private ConfigurableApplicationContext instance(String streamResyncInterval, @Nullable String minReplicaAcks) {
        Map<String, Object> properties = new HashMap<>(LocalTokens.shared().properties());
        properties.put("server.port", "0");
        properties.put("spring.data.redis.cluster.nodes", cluster.seedNodes());
        properties.put("spring.kafka.bootstrap-servers", LocalKafka.shared().bootstrapServers());
        properties.put("wallet.stream.resync-interval", streamResyncInterval);
        if (minReplicaAcks != null) {
            properties.put("wallet.redis.min-replica-acks", minReplicaAcks);
        }
        // As arguments: SpringApplicationBuilder.properties() are defaults, below application.yaml.
        return new SpringApplicationBuilder(WalletApplication.class)
                .run(properties.entrySet().stream().map(p -> "--" + p.getKey() + "=" + p.getValue()).toArray(String[]::new));
    }

    @Test
    @Order(1)
    void theContractHoldsAcrossInstances() {
        WebTestClient a = client(0);
        WebTestClient b = client(1);
        String user = "cluster-" + UUID.randomUUID();
        new WalletApi(a).credit(user, 1_000);
        assertThat(new WalletApi(b).wallet(user).get("balance").longValue()).isEqualTo(1_000);

        // The seed's race: twenty withdrawals of 100 from 1,000 through both instances at once.
        List<Reply> withdrawals = Flux.range(0, 20)
                .flatMap(i -> post(i % 2, "/api/v1/wallets/" + user + "/withdrawals", "{\"amount\": 100}", null), 20)
                .collectList().block(Duration.ofSeconds(30));
        assertThat(withdrawals).filteredOn(r -> r.status() == 201).hasSize(10);
        assertThat(withdrawals).filteredOn(r -> r.status() == 422).hasSize(10);

        // Approve and reject of each withdrawal, one through each instance: exactly one wins.
        List<Reply> decisions = Flux.fromIterable(withdrawals).filter(r -> r.status() == 201)
                .flatMap(r -> {
                    String path = "/api/v1/wallets/" + user + "/withdrawals/" + r.body().get("id").stringValue();
                    return Flux.merge(post(0, path + "/approve", "{}", null), post(1, path + "/reject", "{}", null));
                })
                .collectList().block(Duration.ofSeconds(30));
        assertThat(decisions).filteredOn(r -> r.status() == 200).hasSize(10);
        assertThat(decisions).filteredOn(r -> r.status() == 409).hasSize(10);

        // One Idempotency-Key through both instances at once: applied once.
        List<Reply> copies = Flux.range(0, 10)
                .flatMap(i -> post(i % 2, "/api/v1/wallets/" + user + "/credits", "{\"amount\": 77}", "copy-1"), 10)
                .collectList().block(Duration.ofSeconds(30));
        assertThat(copies).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
        JsonNode wallet = new Invariants(b).assertHold(user);
        assertThat(wallet.get("totalEarnings").longValue()).isEqualTo(1_077);

        // A stream on one instance sees a change made through the other.
        List<ServerSentEvent<String>> seen = Collections.synchronizedList(new ArrayList<>());
        var stream = WebClient.builder().baseUrl(baseUrls.get(1)).filter(ApiContract.checked()).filter(Authorized.asOwnerWithEveryScope()).build()
                .get().uri("/api/v1/wallets/{u}/stream", user).accept(MediaType.TEXT_EVENT_STREAM).retrieve()
                .bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() { })
                .subscribe(seen::add);
        try {
            await(Duration.ofSeconds(10), () -> !seen.isEmpty());
            new WalletApi(a).credit(user, 5);
            await(Duration.ofSeconds(10), () -> seen.stream().anyMatch(event ->
                    JSON.readTree(event.data()).get("totalEarnings").longValue() == 1_082));
        }
        finally {
            stream.dispose();
        }
        assertEventsReachedKafka(Set.of(user));
        wallets.add(user);
    }

    @Test
    @Order(2)
    void aChangeNoReplicaHasIsNotAcknowledged() {
        String user = "unreplicated-" + UUID.randomUUID();
        RedisCluster.Node master = cluster.masterOfSlot(SlotHash.getSlot(keys.wallet(user)));
        String replicaPort = RedisCluster.field(master.call("INFO", "replication"), "slave0").replaceAll(".*port=(\\d+).*", "$1");
        RedisCluster.Node replica = cluster.nodes().stream().filter(node -> Integer.toString(node.port()).equals(replicaPort))
                .findFirst().orElseThrow();
        String body = "{\"amount\": 250}";
        replica.freeze();
        try {
            Reply unreplicated = post(0, "/api/v1/wallets/" + user + "/credits", body, "only-once").block();
            assertThat(unreplicated.status()).isEqualTo(503);
            assertThat(unreplicated.body().get("code").stringValue()).isEqualTo("service-unavailable");
            // Its replay, through the other instance, is not acknowledged either while no replica has it.
            assertThat(post(1, "/api/v1/wallets/" + user + "/credits", body, "only-once").block().status()).isEqualTo(503);
        }
        finally {
            replica.thaw();
        }
        // The master had applied it: the retry with the same key is told so, and it counts once.
        RedisCluster.await(Duration.ofSeconds(30), "the retry", () -> {
            Reply retry = post(1, "/api/v1/wallets/" + user + "/credits", body, "only-once").block();
            return retry.status() == 200 ? retry : null;
        });
        assertThat(new Invariants(client(0)).assertHold(user).get("balance").longValue()).isEqualTo(250);
        wallets.add(user);
    }

    @Test
    @Order(3)
    void aMasterKilledUnderLoadLosesNoAcknowledgedChange() {
        runLoadThrough(master -> {
            master.kill9();
            cluster.awaitFailover(master, Duration.ofSeconds(30));
            log.info("Master {} killed, its replica promoted", master);
            // Ready again with the dead node still down: one node gone is no reason to take every instance out.
            await(Duration.ofSeconds(20), () -> IntStream.range(0, 2).allMatch(i ->
                    client(i).get().uri("/actuator/health/readiness").exchange().returnResult(String.class).getStatus().value() == 200));
            // Back as a replica of the promoted one, so its slots have a replica to acknowledge again.
            master.restart();
        });
    }

    @Test
    @Order(4)
    void aMasterFrozenLongerThanTheFailoverLosesNoAcknowledgedChange() {
        runLoadThrough(master -> {
            master.freeze();
            cluster.awaitFailover(master, Duration.ofSeconds(30));
            log.info("Master {} frozen, its replica promoted", master);
            sleep(3_000);
            // Wakes believing it is master, with the scripts it was sent queued, then rejoins as a replica.
            master.thaw();
        });
    }

    @Test
    @Order(6)
    void aChangeNoticeTravelsOnlyWithinItsShardWhereRedisHasShardedPubSub() {
        String user = "bus-" + UUID.randomUUID();
        WalletApi api = new WalletApi(client(0));
        api.credit(user, 1);
        long[] before = busMessages();
        int changes = 100;
        for (int i = 0; i < changes; i++) {
            api.credit(user, 1);
        }
        long[] after = busMessages();
        long publish = after[0] - before[0];
        long sharded = after[1] - before[1];
        log.info("Cluster bus messages per change on Redis {}: {} PUBLISH, {} sharded ({} nodes)", redisVersion(),
                publish / (double) changes, sharded / (double) changes, cluster.nodes().size());
        if (shardedPubSub()) {
            // Within the shard only: its one replica, not the five other nodes.
            assertThat(publish).as("PUBLISH copied over the bus").isZero();
            assertThat(sharded).as("sharded notices sent over the bus").isBetween((long) changes, 2L * changes);
        }
        else {
            // Redis before 7 has no sharded pub/sub: every notice goes to every node.
            assertThat(publish).as("PUBLISH copied over the bus").isGreaterThanOrEqualTo((long) changes * (cluster.nodes().size() - 1));
        }
    }

    @Test
    @Order(7)
    void streamsEndOnTheirWalletsFinalStateAcrossAMasterFailover() {
        // Where notices are sharded, this instance never re-reads on a timer: only notices, and the re-reads
        // a subscription moved to the promoted master triggers, bring its streams the changes. Before
        // Redis 7 its one subscription may sit on the dead node, and the timer is what remains.
        // It also waits for no replica: the promoted master has none while the old one stays dead.
        ConfigurableApplicationContext watcher = instance(shardedPubSub() ? "1h" : "2s", "0");
        String watcherUrl = "http://127.0.0.1:" + watcher.getEnvironment().getProperty("local.server.port");
        List<String> users = IntStream.range(0, 24).mapToObj(i -> "watched-" + UUID.randomUUID()).toList();
        Authorized.signAhead(users);
        users.forEach(user -> new WalletApi(client(0)).credit(user, 100));
        Map<String, AtomicLong> seen = new ConcurrentHashMap<>();
        WebClient streams = WebClient.builder().baseUrl(watcherUrl).filter(ApiContract.checked())
                .filter(Authorized.asOwnerWithEveryScope()).build();
        List<reactor.core.Disposable> open = users.stream().map(user -> {
            seen.put(user, new AtomicLong());
            return streams.get().uri("/api/v1/wallets/{u}/stream", user).accept(MediaType.TEXT_EVENT_STREAM).retrieve()
                    .bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() { })
                    .filter(event -> event.data() != null)
                    .subscribe(event -> seen.get(user).set(JSON.readTree(event.data()).get("totalEarnings").longValue()));
        }).toList();
        RedisCluster.Node victim = cluster.masterOfSlot(SlotHash.getSlot(keys.wallet(users.get(0))));
        try {
            await(Duration.ofSeconds(20), () -> users.stream().allMatch(user -> seen.get(user).get() == 100));
            victim.kill9();
            cluster.awaitFailover(victim, Duration.ofSeconds(30));
            // Changes while the old master stays dead: those on its slots reach the streams only through
            // the promoted master.
            for (int round = 0; round < 3; round++) {
                creditEach(watcherUrl, users, 5);
            }
            await(Duration.ofSeconds(30), () -> users.stream().allMatch(user -> seen.get(user).get() == 115));
            // Then notices themselves, from the promoted master, carry the next changes.
            creditEach(watcherUrl, users, 5);
            await(Duration.ofSeconds(5), () -> users.stream().allMatch(user -> seen.get(user).get() == 120));
            // A node connection dropped and reconnected (Lettuce subscribes it again in one command, which
            // a cluster refuses across slots): its channels are subscribed again, a slot at a time.
            RedisCluster.Node promoted = cluster.masterOfSlot(SlotHash.getSlot(keys.wallet(users.get(0))));
            promoted.call("CLIENT", "KILL", "TYPE", "pubsub");
            sleep(3_000);
            creditEach(watcherUrl, users, 5);
            await(Duration.ofSeconds(10), () -> users.stream().allMatch(user -> seen.get(user).get() == 125));
        }
        finally {
            open.forEach(reactor.core.Disposable::dispose);
            watcher.close();
            victim.restart();
        }
        users.forEach(wallets::add);
    }

    /** A credit of {@code amount} to each user through {@code baseUrl}, each retried with its key until acknowledged. */
    private void creditEach(String baseUrl, List<String> users, long amount) {
        Flux.fromIterable(users)
                .flatMap(user -> {
                    String key = Long.toHexString(ThreadLocalRandom.current().nextLong()) + Long.toHexString(System.nanoTime());
                    return Mono.defer(() -> post(baseUrl, "/api/v1/wallets/" + user + "/credits", "{\"amount\": " + amount + "}", key))
                            .flatMap(reply -> reply.status() == 503
                                    ? Mono.delay(Duration.ofMillis(200)).then(Mono.<Reply>empty())
                                    : Mono.just(reply))
                            .repeatWhenEmpty(250, flux -> flux)
                            .doOnNext(reply -> assertThat(reply.status()).as("credit of %s", user).isEqualTo(200));
                }, 8)
                .blockLast(Duration.ofSeconds(90));
    }

    /** CLUSTER INFO's bus messages sent, over all nodes: PUBLISH copies, and sharded (SPUBLISH) ones. */
    private long[] busMessages() {
        long publish = 0;
        long sharded = 0;
        for (RedisCluster.Node node : cluster.nodes()) {
            String info = node.call("CLUSTER", "INFO");
            publish += count(RedisCluster.field(info, "cluster_stats_messages_publish_sent"));
            sharded += count(RedisCluster.field(info, "cluster_stats_messages_publishshard_sent"));
        }
        return new long[] {publish, sharded};
    }

    /** A count CLUSTER INFO leaves out while it is zero. */
    private static long count(String field) {
        return field == null ? 0 : Long.parseLong(field.trim());
    }

    private String redisVersion() {
        return RedisCluster.field(cluster.nodes().get(0).call("INFO", "server"), "redis_version").trim();
    }

    /** Redis 7.0 brought sharded pub/sub; the scripts publish sharded from it on. */
    private boolean shardedPubSub() {
        return Integer.parseInt(redisVersion().split("\\.")[0]) >= 7;
    }

    /**
     * Credits and withdrawals over 40 wallets through both instances; a master taken away mid-way by
     * {@code fault}; every change retried with its key until acknowledged.
     */
    private void runLoadThrough(Consumer<RedisCluster.Node> fault) {
        List<String> users = IntStream.range(0, 40).mapToObj(i -> "load-" + UUID.randomUUID()).toList();
        Authorized.signAhead(users);
        Map<String, AtomicLong> credited = new ConcurrentHashMap<>();
        users.forEach(user -> credited.put(user, new AtomicLong()));
        Set<String> withdrawalIds = ConcurrentHashMap.newKeySet();
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger changes = new AtomicInteger();
        AtomicLong lastUnavailable = new AtomicLong();

        Mono<Void> load = Flux.range(0, 16).flatMap(worker -> Mono.defer(() -> {
            String user = users.get(ThreadLocalRandom.current().nextInt(users.size()));
            long amount = 1 + ThreadLocalRandom.current().nextInt(500);
            boolean credit = ThreadLocalRandom.current().nextInt(3) > 0;
            String path = "/api/v1/wallets/" + user + (credit ? "/credits" : "/withdrawals");
            // Not UUID.randomUUID(): its SecureRandom may read /dev/urandom on the client's event loop.
            String key = Long.toHexString(ThreadLocalRandom.current().nextLong()) + Long.toHexString(System.nanoTime());
            return untilAcknowledged(path, "{\"amount\": " + amount + "}", key, statuses, lastUnavailable).doOnNext(reply -> {
                changes.incrementAndGet();
                if (credit) {
                    credited.get(user).addAndGet(amount);
                }
                else if (reply.status() == 201) {
                    withdrawalIds.add(user + "/" + reply.body().get("id").stringValue());
                }
            });
        }).repeat(running::get), 16).then();
        var done = load.toFuture();

        sleep(4_000);
        RedisCluster.Node victim = cluster.masterOfSlot(SlotHash.getSlot(keys.wallet(users.get(0))));
        long faultAt = System.nanoTime();
        fault.accept(victim);
        sleep(LOAD.toMillis() / 2);
        running.set(false);
        done.join();
        log.info("Load through {}: {} changes acknowledged, statuses {}, the last 503 {} ms after the fault", victim,
                changes.get(), statuses, Math.max(0, lastUnavailable.get() - faultAt) / 1_000_000);
        awaitAllServing(users);

        assertThat(statuses).as("statuses answered").doesNotContainKey(500);
        Invariants invariants = new Invariants(client(0));
        for (String user : users) {
            JsonNode wallet = invariants.assertHold(user);
            assertThat(wallet.get("totalEarnings").longValue()).as("acknowledged credits of %s", user)
                    .isEqualTo(credited.get(user).get());
        }
        for (String withdrawal : withdrawalIds) {
            String[] parts = withdrawal.split("/");
            client(1).get().uri("/api/v1/wallets/{u}/withdrawals/{id}", parts[0], parts[1]).exchange()
                    .expectStatus().isOk();
        }
        // No more withdrawals than were acknowledged either: none applied twice.
        for (String user : users) {
            long acknowledged = withdrawalIds.stream().filter(id -> id.startsWith(user + "/")).count();
            assertThat(all("/api/v1/wallets/" + user + "/withdrawals?limit=100")).as("withdrawals of %s", user)
                    .hasSize((int) acknowledged);
        }
        assertEventsReachedKafka(Set.copyOf(users));
        users.stream().filter(user -> credited.get(user).get() > 0).forEach(wallets::add);
    }

    @Test
    @Order(5)
    void theAuditWalksTheWalletsOfEveryMaster() {
        JsonNode report = client(0).post().uri("/api/v1/admin/audit").exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        assertThat(report.get("failures").longValue()).isZero();
        assertThat(report.get("walletsChecked").longValue()).isEqualTo(wallets.size());
    }

    @Test
    @Order(6)
    void batchCreditsAndTheOperatorQueueSpanEveryMaster() {
        WalletApi api = new WalletApi(client(0));
        List<String> users = new ArrayList<>();
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            users.add("queue-" + i + "-" + UUID.randomUUID());
            items.append(i == 0 ? "" : ",").append("{\"userId\":\"").append(users.get(i))
                    .append("\",\"amount\":100,\"idempotencyKey\":\"run-1\"}");
        }
        // One batch of credits, its scripts pipelined to every master at once.
        Reply batch = post(1, "/api/v1/credits:batch", "{\"items\":[" + items + "]}", null).block(Duration.ofSeconds(30));
        assertThat(batch.status()).isEqualTo(200);
        assertThat(batch.body().get("applied").intValue()).isEqualTo(12);
        List<String> made = new ArrayList<>();
        for (String user : users) {
            made.add(api.withdraw(user, 10).get("id").stringValue());
        }
        List<String> queued = all("/api/v1/withdrawals?status=PENDING&limit=5").stream()
                .map(item -> item.get("id").stringValue()).filter(made::contains).toList();
        assertThat(queued).isEqualTo(made);   // every master's partitions, oldest first
    }

    /** Sends a change with its key until it is acknowledged (or refused), alternating instances. */
    private Mono<Reply> untilAcknowledged(String path, String body, String key, Map<Integer, AtomicInteger> statuses,
            AtomicLong lastUnavailable) {
        AtomicInteger attempt = new AtomicInteger();
        return Mono.defer(() -> post(attempt.getAndIncrement() % 2, path, body, key))
                .doOnNext(reply -> {
                    statuses.computeIfAbsent(reply.status(), s -> new AtomicInteger()).incrementAndGet();
                    if (reply.status() == 503) {
                        lastUnavailable.accumulateAndGet(System.nanoTime(), Math::max);
                    }
                })
                .flatMap(reply -> reply.status() == 503 || reply.status() == 500
                        ? Mono.delay(Duration.ofMillis(200)).then(Mono.<Reply>empty())
                        : Mono.just(reply))
                .repeatWhenEmpty(250, flux -> flux);
    }

    private void awaitAllServing(List<String> users) {
        await(Duration.ofSeconds(60), () -> users.stream().allMatch(user ->
                client(0).get().uri("/api/v1/wallets/{u}", user).exchange().returnResult(String.class).getStatus().value() == 200));
    }

    /** Every change in the users' ledgers reached Kafka, each first in version order. */
    private void assertEventsReachedKafka(Set<String> users) {
        Set<String> expected = new HashSet<>();
        for (String user : users) {
            all("/api/v1/wallets/" + user + "/transactions?limit=100").forEach(entry -> expected.add(entry.get("id").stringValue()));
        }
        try (KafkaEvents events = new KafkaEvents(LocalKafka.shared().bootstrapServers())) {
            List<JsonNode> received = events.await(users, all -> ids(all).containsAll(expected), Duration.ofSeconds(60));
            assertThat(ids(received)).as("events on Kafka").containsAll(expected);
        }
    }

    private List<JsonNode> all(String firstPage) {
        return Pages.all(client(0), firstPage);
    }

    private static Set<String> ids(List<JsonNode> events) {
        Set<String> ids = new HashSet<>();
        events.forEach(event -> ids.add(event.get("eventId").stringValue()));
        return ids;
    }

    record Reply(int status, JsonNode body) {
    }

    private Mono<Reply> post(int instance, String path, String body, String idempotencyKey) {
        return post(baseUrls.get(instance), path, body, idempotencyKey);
    }

    private Mono<Reply> post(String baseUrl, String path, String body, String idempotencyKey) {
        return WebClient.builder().baseUrl(baseUrl).filter(ApiContract.checked()).filter(Authorized.asOwnerWithEveryScope()).build()
                .post().uri(path).contentType(MediaType.APPLICATION_JSON)
                .headers(headers -> {
                    if (idempotencyKey != null) {
                        headers.set("Idempotency-Key", idempotencyKey);
                    }
                })
                .bodyValue(body)
                .exchangeToMono(response -> response.bodyToMono(String.class).defaultIfEmpty("{}")
                        .map(text -> new Reply(response.statusCode().value(), JSON.readTree(text))))
                .timeout(Duration.ofSeconds(30));
    }

    private WebTestClient client(int instance) {
        return WebTestClient.bindToServer().baseUrl(baseUrls.get(instance)).responseTimeout(Duration.ofSeconds(30))
                .filter(ApiContract.checked()).filter(Authorized.asOwnerWithEveryScope()).build();
    }

    private static void await(Duration max, java.util.function.BooleanSupplier condition) {
        RedisCluster.await(max, "condition", () -> condition.getAsBoolean() ? Boolean.TRUE : null);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
