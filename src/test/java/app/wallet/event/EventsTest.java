package app.wallet.event;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;

import app.wallet.support.IntegrationTest;
import app.wallet.support.KafkaEvents;
import app.wallet.support.LocalKafka;
import app.wallet.support.WalletApi;

import static org.assertj.core.api.Assertions.assertThat;

/** Every committed change reaches Kafka once per eventId, in walletVersion order per user. */
class EventsTest extends IntegrationTest {

    @Test
    void concurrentChangesYieldOneEventEachInVersionOrderMatchingTheLedger() {
        List<String> users = List.of(newUserId(), newUserId(), newUserId());
        WalletApi api = new WalletApi(client);
        users.forEach(user -> api.credit(user, 100_000));
        Flux.range(0, 150)
                .flatMap(i -> concurrentClient().post()
                        .uri("/wallets/{u}/" + (i % 3 == 0 ? "withdrawals" : "credits"), users.get(i % users.size()))
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Map.of("amount", 10 + i))
                        .retrieve().toBodilessEntity(), 50)
                .blockLast(Duration.ofSeconds(60));
        long changes = users.stream().mapToLong(user -> api.wallet(user).get("version").longValue()).sum();
        assertThat(changes).isEqualTo(153);

        List<JsonNode> events;
        Map<String, Map<String, String>> headers;
        try (KafkaEvents kafka = new KafkaEvents(LocalKafka.shared().bootstrapServers())) {
            events = kafka.await(Set.copyOf(users), received -> distinctIds(received).size() >= changes,
                    Duration.ofSeconds(60));
            headers = kafka.headersByEventId();
        }

        assertThat(distinctIds(events)).hasSize((int) changes);
        for (String user : users) {
            List<Long> versions = events.stream().filter(e -> e.get("userId").stringValue().equals(user))
                    .map(e -> e.get("walletVersion").longValue()).toList();
            assertThat(versions).as("versions of %s in arrival order", user).isSorted();
            assertThat(new HashSet<>(versions)).hasSize((int) api.wallet(user).get("version").longValue());
            assertMatchesLedger(user, events);
        }
        for (JsonNode event : events) {
            // CloudEvents 1.0, Kafka protocol binding, binary mode: the attributes are headers, the value is the data.
            Map<String, String> recordHeaders = headers.get(event.get("eventId").stringValue());
            assertThat(recordHeaders.get("traceparent")).as("trace of %s", event).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
            assertThat(recordHeaders).as("headers of %s", event).containsAllEntriesOf(Map.of(
                    "content-type", "application/json",
                    "ce_specversion", "1.0",
                    "ce_id", event.get("eventId").stringValue(),
                    "ce_type", "app.wallet." + event.get("type").stringValue(),
                    "ce_source", "/wallet-service",
                    "ce_time", event.get("occurredAt").stringValue(),
                    "ce_subject", event.get("userId").stringValue()));
        }
    }

    @Test
    void theEventCarriesTheTraceOfTheRequestThatMadeTheChange() {
        String user = newUserId();
        String traceId = UUID.randomUUID().toString().replace("-", "");
        client.post().uri("/api/v1/wallets/{u}/credits", user)
                .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("amount", 100))
                .exchange().expectStatus().isOk();

        Map<String, Map<String, String>> headers;
        try (KafkaEvents kafka = new KafkaEvents(LocalKafka.shared().bootstrapServers())) {
            kafka.await(Set.of(user), received -> !received.isEmpty(), Duration.ofSeconds(30));
            headers = kafka.headersByEventId();
        }

        assertThat(headers).hasSize(1);
        // The server's span of the request: same trace, its own span id, sampled as its parent was.
        assertThat(headers.values().iterator().next().get("traceparent")).matches("00-" + traceId + "-[0-9a-f]{16}-01");
    }

    private void assertMatchesLedger(String user, List<JsonNode> events) {
        Map<String, JsonNode> byId = events.stream()
                .collect(Collectors.toMap(e -> e.get("eventId").stringValue(), Function.identity(), (a, b) -> a));
        JsonNode page = client.get().uri("/api/v1/wallets/{u}/transactions?limit=100", user).exchange()
                .expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();
        for (JsonNode entry : page.get("items")) {
            JsonNode event = byId.get(entry.get("id").stringValue());
            assertThat(event).as("event of ledger entry %s", entry).isNotNull();
            String type = entry.get("type").stringValue();
            assertThat(event.get("type").stringValue()).isEqualTo(type.equals("CREDIT") ? "WALLET_CREDITED" : type);
            assertThat(event.get("amount").longValue()).isEqualTo(entry.get("amount").longValue());
            assertThat(event.get("walletVersion").longValue()).isEqualTo(entry.get("version").longValue());
            assertThat(event.get("balance").longValue()).isEqualTo(entry.get("balanceAfter").longValue());
            assertThat(event.get("pending").longValue()).isEqualTo(entry.get("pendingAfter").longValue());
            assertThat(event.get("balance").longValue() + event.get("pending").longValue()
                    + event.get("totalWithdrawn").longValue()).isEqualTo(event.get("totalEarnings").longValue());
            assertThat(event.get("occurredAt").stringValue()).isEqualTo(entry.get("at").stringValue());
            // The test client calls as the wallet's owner: the token's subject is who made every change.
            assertThat(entry.get("actor").stringValue()).isEqualTo(user);
            assertThat(event.get("actor").stringValue()).isEqualTo(user);
        }
    }

    private static Set<String> distinctIds(List<JsonNode> events) {
        return events.stream().map(e -> e.get("eventId").stringValue()).collect(Collectors.toSet());
    }
}
