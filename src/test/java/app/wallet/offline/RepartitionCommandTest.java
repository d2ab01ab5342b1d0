package app.wallet.offline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

import app.wallet.WalletApplication;
import app.wallet.support.ApiContract;
import app.wallet.support.Authorized;
import app.wallet.support.Invariants;
import app.wallet.support.KafkaEvents;
import app.wallet.support.LocalKafka;
import app.wallet.support.LocalRedis;
import app.wallet.support.LocalTokens;
import app.wallet.support.RedisWire;
import app.wallet.support.WalletApi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The offline re-partitioning command: refused while an instance serves, and afterwards every wallet,
 * withdrawal, ledger, idempotency record and waiting event is found under the new partition count, which
 * instances must then be started with.
 */
class RepartitionCommandTest {

    private static final LocalRedis REDIS = LocalRedis.startProcess();

    @AfterAll
    static void stop() {
        REDIS.close();
    }

    @Test
    void movesEveryWalletToTheNewPartitionsWithEveryInstanceStopped() {
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            users.add("repartition-" + i + "-" + UUID.randomUUID());
        }
        Map<String, String> pending = new HashMap<>();
        Set<String> ledgerIds = new HashSet<>();

        // Events stay in the outbox: the command must carry them over too.
        try (ConfigurableApplicationContext before = instance(16, false)) {
            WebTestClient client = client(before);
            WalletApi api = new WalletApi(client);
            for (String user : users) {
                credit(client, user, 1_000, "first-" + user);
                api.approve(user, api.withdraw(user, 100).get("id").stringValue());
                pending.put(user, api.withdraw(user, 200).get("id").stringValue());
            }
            assertThat(repartition(REDIS, "64")).as("refused while serving").isEqualTo(1);
            assertThat(RedisWire.call(REDIS.port(), "GET", "wallet-config:partitions")).isEqualTo("16");
            for (String user : users) {
                ledger(client, user).forEach(entry -> ledgerIds.add(entry.get("id").stringValue()));
            }
        }

        assertThat(repartition(REDIS, "64")).isZero();
        assertThat(RedisWire.call(REDIS.port(), "GET", "wallet-config:partitions")).isEqualTo("64");
        assertThatThrownBy(() -> instance(16, true).close()).as("an instance with the old count")
                .hasStackTraceContaining("wallet.partitions is 16 but the data in Redis is laid out for 64");

        try (ConfigurableApplicationContext after = instance(64, true);
                KafkaEvents events = new KafkaEvents(LocalKafka.shared().bootstrapServers())) {
            WebTestClient client = client(after);
            WalletApi api = new WalletApi(client);
            Invariants invariants = new Invariants(client);
            // The operator queue moved too: every withdrawal still pending is in it, under its new partition.
            JsonNode queue = client.get().uri("/api/v1/withdrawals?status=PENDING&limit=100").exchange()
                    .expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();
            Set<String> queued = new HashSet<>();
            queue.get("items").forEach(item -> queued.add(item.get("id").stringValue()));
            assertThat(queued).isEqualTo(Set.copyOf(pending.values()));
            for (String user : users) {
                JsonNode wallet = invariants.assertHold(user);
                assertThat(wallet.get("balance").longValue()).isEqualTo(700);
                assertThat(wallet.get("pending").longValue()).isEqualTo(200);
                // The idempotency record moved with the wallet: a retry is a replay, not a second credit.
                credit(client, user, 1_000, "first-" + user).expectHeader().valueEquals("Idempotent-Replayed", "true");
                api.approve(user, pending.get(user));
                assertThat(invariants.assertHold(user).get("totalWithdrawn").longValue()).isEqualTo(300);
            }
            List<JsonNode> received = events.await(Set.copyOf(users),
                    all -> ids(all).containsAll(ledgerIds), Duration.ofSeconds(60));
            assertThat(ids(received)).as("events that waited in the outbox").containsAll(ledgerIds);
        }
        assertThat(repartition(REDIS, "64")).as("nothing left to do").isZero();
    }

    @Test
    void indexWithdrawalsPutsWithdrawalsOfAnEarlierVersionIntoTheOperatorQueue() {
        try (LocalRedis redis = LocalRedis.startProcess();
                ConfigurableApplicationContext instance = instance(redis, 16, false)) {
            WebTestClient client = client(instance);
            WalletApi api = new WalletApi(client);
            Set<String> pending = new HashSet<>();
            Set<String> approved = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                String user = "earlier-" + i + "-" + UUID.randomUUID();
                credit(client, user, 1_000, "c-" + user);
                String settled = api.withdraw(user, 100).get("id").stringValue();
                api.approve(user, settled);
                approved.add(settled);
                pending.add(api.withdraw(user, 200).get("id").stringValue());
            }
            // As an earlier version left its data: no operator queue.
            RedisWire.keys(redis.port()).stream().filter(key -> key.startsWith("withdrawal-queue:"))
                    .forEach(key -> RedisWire.call(redis.port(), "DEL", key));
            assertThat(queue(client, "PENDING")).isEmpty();

            List<String> settings = List.of("--spring.data.redis.port=" + redis.port());
            assertThat(OfflineCommands.indexWithdrawals(settings.toArray(String[]::new))).isZero();
            assertThat(queue(client, "PENDING")).isEqualTo(pending);
            assertThat(queue(client, "APPROVED")).isEqualTo(approved);
            // Again, while serving: nothing changes.
            assertThat(OfflineCommands.indexWithdrawals(settings.toArray(String[]::new))).isZero();
            assertThat(queue(client, "PENDING")).isEqualTo(pending);
        }
    }

    private static Set<String> queue(WebTestClient client, String status) {
        Set<String> ids = new HashSet<>();
        client.get().uri("/api/v1/withdrawals?status={s}&limit=100", status).exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody().get("items")
                .forEach(item -> ids.add(item.get("id").stringValue()));
        return ids;
    }

    private static int repartition(LocalRedis redis, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--spring.data.redis.port=" + redis.port());
        // Instances here start in a second or two; the default allows for slower ones.
        all.add("--wallet.repartition.settle=2s");
        return OfflineCommands.repartition(all.toArray(String[]::new));
    }

    private static WebTestClient.ResponseSpec credit(WebTestClient client, String user, long amount, String key) {
        return client.post().uri("/api/v1/wallets/{u}/credits", user).contentType(MediaType.APPLICATION_JSON)
                .header("Idempotency-Key", key).bodyValue("{\"amount\": " + amount + "}").exchange()
                .expectStatus().isOk();
    }

    private static List<JsonNode> ledger(WebTestClient client, String user) {
        List<JsonNode> entries = new ArrayList<>();
        client.get().uri("/api/v1/wallets/{u}/transactions?limit=100", user).exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody().get("items").forEach(entries::add);
        return entries;
    }

    private static Set<String> ids(List<JsonNode> events) {
        Set<String> ids = new HashSet<>();
        events.forEach(event -> ids.add(event.get("eventId").stringValue()));
        return ids;
    }

    private static ConfigurableApplicationContext instance(int partitions, boolean relay) {
        return instance(REDIS, partitions, relay);
    }

    private static ConfigurableApplicationContext instance(LocalRedis redis, int partitions, boolean relay) {
        Map<String, Object> properties = new HashMap<>(LocalTokens.shared().properties());
        properties.put("server.port", "0");
        properties.put("spring.data.redis.port", redis.port());
        properties.put("spring.kafka.bootstrap-servers", LocalKafka.shared().bootstrapServers());
        properties.put("wallet.partitions", partitions);
        properties.put("wallet.outbox.relay-enabled", relay);
        // As arguments: SpringApplicationBuilder.properties() are defaults, below application.yaml.
        return new SpringApplicationBuilder(WalletApplication.class)
                .run(properties.entrySet().stream().map(p -> "--" + p.getKey() + "=" + p.getValue()).toArray(String[]::new));
    }

    private static WebTestClient client(ConfigurableApplicationContext instance) {
        return WebTestClient.bindToServer()
                .baseUrl("http://127.0.0.1:" + instance.getEnvironment().getProperty("local.server.port"))
                .responseTimeout(Duration.ofSeconds(30)).filter(ApiContract.checked()).filter(Authorized.asOwnerWithEveryScope()).build();
    }
}
