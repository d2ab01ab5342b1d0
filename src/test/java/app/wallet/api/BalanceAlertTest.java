package app.wallet.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import app.wallet.support.ApiContract;
import app.wallet.support.Authorized;
import app.wallet.support.IntegrationTest;
import app.wallet.support.Invariants;
import app.wallet.support.KafkaEvents;
import app.wallet.support.LocalKafka;
import app.wallet.support.Pages;
import app.wallet.support.WalletApi;

import static org.assertj.core.api.Assertions.assertThat;

/** Balance alerts fire once per crossing, decided in the change's own script, on the stream and in Kafka. */
class BalanceAlertTest extends IntegrationTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final JsonMapper JSON = new JsonMapper();
    private static final ParameterizedTypeReference<ServerSentEvent<String>> EVENTS = new ParameterizedTypeReference<>() {
    };

    /** An alert as the test made it, to replay the ledger against. */
    record Made(String id, String field, boolean above, long threshold) {

        boolean beyond(JsonNode entry) {
            long value = entry.get("balance".equals(field) ? "balanceAfter" : "pendingAfter").longValue();
            return above ? value > threshold : value < threshold;
        }
    }

    @Test
    void crossingsUnderConcurrentChangesFireExactlyAsOftenAsTheLedgerSaysTheyCrossed() {
        String user = newUserId();
        WalletApi api = new WalletApi(client);
        api.credit(user, 5_000);
        List<Made> alerts = List.of(add(user, "rich", "balance", "above", 6_000), add(user, "low", "balance", "below", 2_000),
                add(user, "waiting", "pending", "above", 1_500));
        assertThat(alerts).allSatisfy(alert -> assertThat(alert).isNotNull());

        WebClient web = concurrentClient();
        List<String> withdrawals = new CopyOnWriteArrayList<>();
        for (int round = 0; round < 3; round++) {
            Flux.range(0, 80).flatMap(i -> i % 2 == 0
                    ? post(web, "/wallets/" + user + "/credits", Map.of("amount", 700)).then()
                    : post(web, "/wallets/" + user + "/withdrawals", Map.of("amount", 900))
                            .filter(reply -> reply.has("id")).doOnNext(reply -> withdrawals.add(reply.get("id").stringValue())).then(), 40)
                    .blockLast(TIMEOUT);
            List<String> settle = List.copyOf(withdrawals);
            withdrawals.clear();
            Flux.range(0, settle.size()).flatMap(i -> post(web, "/wallets/" + user + "/withdrawals/" + settle.get(i)
                    + (i % 3 == 0 ? "/reject" : "/approve"), Map.of()), 40).blockLast(TIMEOUT);
        }
        new Invariants(client).assertHold(user);

        List<JsonNode> ledger = Pages.all(client, "/api/v1/wallets/" + user + "/transactions?limit=100").stream()
                .sorted(Comparator.comparingLong(entry -> entry.get("version").longValue())).toList();
        Map<String, Integer> crossings = new HashMap<>();
        Map<String, Boolean> finallyFired = new HashMap<>();
        for (Made alert : alerts) {
            // Added at version 1, where the wallet stood within every threshold: armed.
            boolean fired = false;
            int count = 0;
            for (JsonNode entry : ledger.subList(1, ledger.size())) {
                boolean beyond = alert.beyond(entry);
                if (!fired && beyond) {
                    count++;
                }
                fired = beyond;
            }
            crossings.put(alert.id(), count);
            finallyFired.put(alert.id(), fired);
        }
        int expected = crossings.values().stream().mapToInt(Integer::intValue).sum();
        assertThat(expected).as("the run crossed thresholds").isGreaterThan(3);

        List<JsonNode> events;
        try (KafkaEvents kafka = new KafkaEvents(LocalKafka.shared().bootstrapServers())) {
            events = kafka.await(Set.of(user), received -> distinct(received, false).size() >= ledger.size()
                    && distinct(received, true).size() >= expected, TIMEOUT);
        }
        Map<String, Long> fired = distinct(events, true).values().stream()
                .collect(Collectors.groupingBy(event -> event.get("alert").get("id").stringValue(), Collectors.counting()));
        for (Made alert : alerts) {
            assertThat(fired.getOrDefault(alert.id(), 0L)).as("firings of " + alert).isEqualTo(crossings.get(alert.id()).longValue());
        }
        // Each firing follows its change's own event and carries that change's version and wallet.
        Map<Long, JsonNode> changes = new HashMap<>();
        distinct(events, false).values().forEach(event -> changes.put(event.get("walletVersion").longValue(), event));
        distinct(events, true).values().forEach(event -> {
            JsonNode change = changes.get(event.get("walletVersion").longValue());
            assertThat(event.get("balance")).isEqualTo(change.get("balance"));
            assertThat(event.get("hash")).isEqualTo(change.get("hash"));
            assertThat(event.get("alert").get("state").stringValue()).isEqualTo("fired");
        });
        JsonNode listed = client.get().uri("/api/v1/wallets/" + user + "/alerts").exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        listed.forEach(alert -> assertThat(alert.get("state").stringValue())
                .isEqualTo(finallyFired.get(alert.get("id").stringValue()) ? "fired" : "armed"));
    }

    @Test
    void aFiringIsAnAlertEventOnTheWalletsStream() {
        String user = newUserId();
        WalletApi api = new WalletApi(client);
        api.credit(user, 100);
        add(user, "payout-ready", "balance", "above", 1_000);
        List<ServerSentEvent<String>> received = new CopyOnWriteArrayList<>();
        Disposable stream = WebClient.builder().baseUrl("http://127.0.0.1:" + port + "/api/v1")
                .filter(ApiContract.checked()).filter(Authorized.asOwnerWithEveryScope()).build().get()
                .uri("/wallets/{u}/stream", user).accept(MediaType.TEXT_EVENT_STREAM)
                .retrieve().bodyToFlux(EVENTS).filter(event -> event.data() != null)
                .subscribe(received::add);
        try {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !received.isEmpty());
            api.credit(user, 950);
            api.credit(user, 10);   // beyond already: no second firing

            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> received.stream()
                    .anyMatch(event -> "balance".equals(event.event()) && event.id().equals("3")));
            List<ServerSentEvent<String>> alerts = received.stream().filter(event -> "alert".equals(event.event())).toList();
            assertThat(alerts).hasSize(1);
            JsonNode data = JSON.readTree(alerts.get(0).data());
            assertThat(alerts.get(0).id()).isNull();
            assertThat(data.get("alert").get("name").stringValue()).isEqualTo("payout-ready");
            assertThat(data.get("alert").get("above").longValue()).isEqualTo(1_000);
            assertThat(data.get("alert").get("state").stringValue()).isEqualTo("fired");
            assertThat(data.get("wallet").get("balance").longValue()).isEqualTo(1_050);
            assertThat(data.get("wallet").get("version").longValue()).isEqualTo(2);
        }
        finally {
            stream.dispose();
        }
    }

    @Test
    void alertsAreAddedListedRemovedAndBounded() {
        String user = newUserId();
        new WalletApi(client).credit(user, 5_000);
        JsonNode beyond = client.post().uri("/api/v1/wallets/" + user + "/alerts").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "big", "field", "balance", "above", 10)).exchange()
                .expectStatus().isCreated().expectHeader().exists("Location")
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        assertThat(beyond.get("state").stringValue()).as("the wallet stands above already").isEqualTo("fired");
        assertThat(beyond.has("below")).isFalse();

        for (String bad : List.of("{\"name\": \"x\", \"field\": \"balance\"}",
                "{\"name\": \"x\", \"field\": \"balance\", \"above\": 1, \"below\": 2}",
                "{\"name\": \"x y\", \"field\": \"balance\", \"above\": 1}",
                "{\"name\": \"x\", \"field\": \"totalEarnings\", \"above\": 1}",
                "{\"name\": \"x\", \"field\": \"balance\", \"above\": -1}")) {
            client.post().uri("/api/v1/wallets/" + user + "/alerts").contentType(MediaType.APPLICATION_JSON).bodyValue(bad)
                    .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.code").isEqualTo("invalid-request");
        }
        for (int i = 1; i < 10; i++) {
            add(user, "a" + i, "pending", "above", i);
        }
        client.post().uri("/api/v1/wallets/" + user + "/alerts").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "eleventh", "field", "balance", "below", 1)).exchange()
                .expectStatus().isEqualTo(422).expectBody().jsonPath("$.code").isEqualTo("too-many-alerts");

        List<JsonNode> listed = new ArrayList<>();
        client.get().uri("/api/v1/wallets/" + user + "/alerts").exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody().forEach(listed::add);
        assertThat(listed).hasSize(10);
        assertThat(listed.get(0).get("id").stringValue()).isEqualTo(beyond.get("id").stringValue());

        client.delete().uri("/api/v1/wallets/" + user + "/alerts/" + beyond.get("id").stringValue()).exchange()
                .expectStatus().isNoContent();
        client.delete().uri("/api/v1/wallets/" + user + "/alerts/" + beyond.get("id").stringValue()).exchange()
                .expectStatus().isNotFound().expectBody().jsonPath("$.code").isEqualTo("alert-not-found");
        add(user, "again", "balance", "below", 1);
        client.get().uri("/api/v1/wallets/" + newUserId() + "/alerts").exchange()
                .expectStatus().isNotFound().expectBody().jsonPath("$.code").isEqualTo("wallet-not-found");
    }

    private Made add(String user, String name, String field, String direction, long threshold) {
        JsonNode alert = client.post().uri("/api/v1/wallets/" + user + "/alerts").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", name, "field", field, direction, threshold)).exchange()
                .expectStatus().isCreated().expectBody(JsonNode.class).returnResult().getResponseBody();
        assertThat(alert.get("state").stringValue()).isIn("armed", "fired");
        return new Made(alert.get("id").stringValue(), field, "above".equals(direction), threshold);
    }

    /** The events received, once per eventId: the alerts' or the changes'. */
    private static Map<String, JsonNode> distinct(List<JsonNode> events, boolean alerts) {
        Map<String, JsonNode> byId = new HashMap<>();
        events.stream().filter(event -> "BALANCE_ALERT".equals(event.get("type").stringValue()) == alerts)
                .forEach(event -> byId.putIfAbsent(event.get("eventId").stringValue(), event));
        return byId;
    }

    private static Mono<JsonNode> post(WebClient web, String path, Object body) {
        return web.post().uri(path).contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .exchangeToMono(response -> response.bodyToMono(String.class).map(JSON::readTree));
    }
}
