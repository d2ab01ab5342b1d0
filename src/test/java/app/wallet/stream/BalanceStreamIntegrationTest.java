package app.wallet.stream;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import app.wallet.WalletApplication;
import app.wallet.store.WalletKeys;
import app.wallet.support.ApiContract;
import app.wallet.support.Authorized;
import app.wallet.support.IntegrationTest;
import app.wallet.support.LocalTokens;
import app.wallet.support.LocalKafka;
import app.wallet.support.LocalRedis;
import app.wallet.support.WalletApi;

import static org.assertj.core.api.Assertions.assertThat;

/** Balance streams over real HTTP against the real Redis: what a dashboard watching a wallet sees. */
class BalanceStreamIntegrationTest extends IntegrationTest {

    static final ParameterizedTypeReference<ServerSentEvent<String>> EVENTS = new ParameterizedTypeReference<>() {
    };
    private static final JsonMapper JSON = new JsonMapper();

    @Autowired
    private BalanceHub hub;
    @Autowired
    private ReactiveStringRedisTemplate redis;
    @Autowired
    private WalletKeys keys;

    @Test
    void anUnknownWalletIsAProblemBeforeAnyStream() {
        client.get().uri("/api/v1/wallets/{u}/stream", newUserId()).accept(MediaType.TEXT_EVENT_STREAM).exchange()
                .expectStatus().isNotFound()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.code").isEqualTo("wallet-not-found");
    }

    @Test
    void underTwoHundredConcurrentChangesVersionsRiseAndTheLastEventIsTheWallet() {
        String user = newUserId();
        WalletApi api = new WalletApi(client);
        api.credit(user, 1_000_000);

        List<ServerSentEvent<String>> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        Disposable stream = stream(port, user, null).subscribe(received::add);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !received.isEmpty());
        assertThat(version(received.get(0))).isEqualTo(1);

        Flux.range(0, 200)
                .flatMap(i -> concurrentClient().post()
                        .uri("/wallets/{u}/" + (i % 4 == 0 ? "withdrawals" : "credits"), user)
                        .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("amount", 100 + i))
                        .retrieve().toBodilessEntity(), 50)
                .blockLast(Duration.ofSeconds(60));
        JsonNode wallet = api.wallet(user);
        assertThat(wallet.get("version").longValue()).isEqualTo(201);

        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> version(received.get(received.size() - 1)) == 201);
        stream.dispose();

        List<Long> versions = received.stream().map(BalanceStreamIntegrationTest::version).toList();
        assertThat(versions).doesNotHaveDuplicates().isSorted();
        assertThat(received).allSatisfy(event -> {
            assertThat(event.event()).isEqualTo("balance");
            assertThat(event.id()).isEqualTo(Long.toString(version(event)));
        });
        assertThat(JSON.readTree(received.get(received.size() - 1).data())).isEqualTo(wallet);
    }

    @Test
    void aStateWhoseNotificationWasLostStillReachesTheStream() {
        String user = newUserId();
        new WalletApi(client).credit(user, 5);
        List<ServerSentEvent<String>> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        Disposable stream = stream(port, user, null).subscribe(received::add);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !received.isEmpty());

        // A change whose notification never went out, as while the subscription was reconnecting.
        redis.opsForHash().increment(keys.wallet(user), "version", 1).block(Duration.ofSeconds(5));

        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> version(received.get(received.size() - 1)) == 2);
        stream.dispose();
        redis.delete(keys.wallet(user)).block(Duration.ofSeconds(5));
    }

    @Test
    void eventsAreWrittenInTheContractsExactText() {
        String user = newUserId();
        new WalletApi(client).credit(user, 5);
        String first = concurrentClient().get()
                .uri("/wallets/{u}/stream", user)
                .exchangeToFlux(response -> {
                    assertThat(response.headers().contentType()).hasValueSatisfying(
                            type -> assertThat(type.isCompatibleWith(MediaType.TEXT_EVENT_STREAM)).isTrue());
                    return response.bodyToFlux(org.springframework.core.io.buffer.DataBuffer.class);
                })
                .map(buffer -> buffer.toString(java.nio.charset.StandardCharsets.UTF_8))
                .blockFirst(Duration.ofSeconds(10));
        assertThat(first).startsWith("event: balance\nid: 1\ndata: {\"userId\":\"" + user + "\"").endsWith("}\n\n");
    }

    @Test
    void aClosedStreamLeavesNoSubscriptionBehind() {
        String user = newUserId();
        new WalletApi(client).credit(user, 5);
        List<Disposable> streams = List.of(stream(port, user, null).subscribe(), stream(port, user, null).subscribe());
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> hub.isWatched(user));

        streams.get(0).dispose();
        new WalletApi(client).credit(user, 5);
        assertThat(hub.isWatched(user)).as("one stream still open").isTrue();
        streams.get(1).dispose();

        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !hub.isWatched(user));
    }

    @Test
    void aReconnectWithLastEventIdSkipsWhatTheClientHas() {
        String user = newUserId();
        WalletApi api = new WalletApi(client);
        api.credit(user, 5);
        api.credit(user, 5);

        List<ServerSentEvent<String>> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        Disposable stream = stream(port, user, "2").subscribe(received::add);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> hub.isWatched(user));
        api.credit(user, 5);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !received.isEmpty());
        stream.dispose();
        assertThat(version(received.get(0))).isEqualTo(3);
    }

    @Test
    void aChangeMadeThroughOneInstanceReachesAStreamOnAnother() {
        String user = newUserId();
        new WalletApi(client).credit(user, 5);
        LocalRedis redis = LocalRedis.shared();
        try (ConfigurableApplicationContext other = new SpringApplicationBuilder(WalletApplication.class)
                .properties(LocalTokens.shared().properties().entrySet().stream()
                        .map(property -> property.getKey() + "=" + property.getValue()).toArray(String[]::new))
                .properties(
                "server.port=0",
                "spring.data.redis.host=" + redis.host(),
                "spring.data.redis.port=" + redis.port(),
                "spring.kafka.bootstrap-servers=" + LocalKafka.shared().bootstrapServers(),
                "wallet.outbox.relay-enabled=false").run()) {
            int otherPort = Integer.parseInt(other.getEnvironment().getRequiredProperty("local.server.port"));
            List<ServerSentEvent<String>> received = new java.util.concurrent.CopyOnWriteArrayList<>();
            Disposable stream = stream(otherPort, user, null).subscribe(received::add);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !received.isEmpty());

            new WalletApi(client).credit(user, 7);

            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> version(received.get(received.size() - 1)) == 2);
            stream.dispose();
            assertThat(JSON.readTree(received.get(received.size() - 1).data()).get("balance").longValue()).isEqualTo(12);
        }
    }

    static Flux<ServerSentEvent<String>> stream(int port, String user, String lastEventId) {
        return WebClient.builder().baseUrl("http://127.0.0.1:" + port + "/api/v1")
                .filter(ApiContract.checked()).filter(Authorized.asOwnerWithEveryScope()).build().get()
                .uri("/wallets/{u}/stream", user)
                .accept(MediaType.TEXT_EVENT_STREAM)
                .headers(headers -> {
                    if (lastEventId != null) {
                        headers.set("Last-Event-ID", lastEventId);
                    }
                })
                .retrieve()
                .bodyToFlux(EVENTS)
                .filter(event -> event.data() != null);
    }

    static long version(ServerSentEvent<String> event) {
        return JSON.readTree(event.data()).get("version").longValue();
    }
}
