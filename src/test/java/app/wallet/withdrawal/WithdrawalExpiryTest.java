package app.wallet.withdrawal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import app.wallet.store.WalletKeys;
import app.wallet.support.IntegrationTest;
import app.wallet.support.Invariants;
import app.wallet.support.KafkaEvents;
import app.wallet.support.LocalKafka;
import app.wallet.support.Pages;
import app.wallet.support.WalletApi;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code wallet.withdrawal.pending-timeout}: a withdrawal left PENDING too long is rejected as expired, exactly once. */
@TestPropertySource(properties = {"wallet.withdrawal.pending-timeout=3s", "wallet.withdrawal.expiry-interval=200ms"})
class WithdrawalExpiryTest extends IntegrationTest {

    @Autowired
    private WithdrawalExpiry expiry;

    @Test
    void aWithdrawalLeftPendingPastTheTimeoutIsRejectedAsExpiredAndRefunded() {
        WalletApi api = new WalletApi(client);
        String userId = newUserId();
        api.credit(userId, 1_000);
        String waiting = api.withdraw(userId, 400).get("id").asString();

        try (KafkaEvents kafka = new KafkaEvents(LocalKafka.shared().bootstrapServers())) {
            JsonNode expired = Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                    .until(() -> withdrawal(userId, waiting), w -> w.get("status").asString().equals("REJECTED"));
            assertThat(expired.get("reason").asString()).isEqualTo("expired");
            assertThat(Duration.between(Instant.parse(expired.get("requestedAt").asString()),
                    Instant.parse(expired.get("processedAt").asString()))).isGreaterThanOrEqualTo(Duration.ofSeconds(3));

            JsonNode wallet = new Invariants(client).assertHold(userId);
            assertThat(wallet.get("balance").longValue()).isEqualTo(1_000);
            assertThat(wallet.get("pending").longValue()).isZero();
            JsonNode entry = client.get().uri("/api/v1/wallets/{u}/transactions?limit=1", userId).exchange()
                    .expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody().get("items").get(0);
            assertThat(entry.get("type").asString()).isEqualTo("WITHDRAWAL_REJECTED");
            assertThat(entry.get("actor").asString()).isEqualTo(WithdrawalService.EXPIRY_ACTOR);
            assertThat(queue("EXPIRED")).contains(waiting);
            assertThat(queue("PENDING")).doesNotContain(waiting);

            List<JsonNode> events = kafka.await(Set.of(userId), received -> received.size() >= 3, Duration.ofSeconds(30));
            assertThat(events).extracting(e -> e.get("type").asString())
                    .containsExactly("WALLET_CREDITED", "WITHDRAWAL_REQUESTED", "WITHDRAWAL_REJECTED");
            assertThat(events.get(2).get("withdrawalId").asString()).isEqualTo(waiting);
        }
        // Settled once: an operator's later approval is refused.
        client.post().uri("/api/v1/wallets/{u}/withdrawals/{w}/approve", userId, waiting).exchange()
                .expectStatus().isEqualTo(409);
    }

    @Test
    void anApprovalRacingTheExpiryOfTheSameWithdrawalLeavesExactlyOneOutcome() {
        WalletApi api = new WalletApi(client);
        List<String> users = new ArrayList<>();
        Map<String, String> ownerOf = new ConcurrentHashMap<>();
        for (int u = 0; u < 50; u++) {
            String userId = newUserId();
            users.add(userId);
            api.credit(userId, 1_000);
            for (int w = 0; w < 2; w++) {
                ownerOf.put(api.withdraw(userId, 100 + w).get("id").asString(), userId);
            }
        }
        assertThat(ownerOf).hasSize(100);

        // Each withdrawal's approval and expiry sent at once, all hundred pairs together. The expiry is told
        // that everything requested until now has expired, as if the timeout had passed.
        Instant requestedBy = Instant.now();
        Map<String, Integer> approvals = new ConcurrentHashMap<>();
        Set<String> expiredHere = ConcurrentHashMap.newKeySet();
        var web = concurrentClient();
        Flux.fromIterable(ownerOf.entrySet())
                .flatMap(entry -> Flux.merge(
                        web.post().uri("/wallets/{u}/withdrawals/{w}/approve", entry.getValue(), entry.getKey())
                                .contentType(MediaType.APPLICATION_JSON).bodyValue("{}")
                                .exchangeToMono(response -> response.releaseBody()
                                        .thenReturn(response.statusCode().value()))
                                .doOnNext(status -> approvals.put(entry.getKey(), status))
                                .then(),
                        // The approval goes through HTTP and token checks, a burst of them several milliseconds: the expiry
                        // starts up to 20 ms later, so either may reach Redis first.
                        Mono.delay(Duration.ofMillis(ThreadLocalRandom.current().nextInt(20)))
                                .then(expiry.expire(WalletKeys.queueEntry(entry.getValue(), entry.getKey()), requestedBy))
                                .doOnNext(expired -> expiredHere.add(expired.id()))
                                .then()), 200)
                .blockLast(Duration.ofSeconds(60));

        AtomicInteger approved = new AtomicInteger();
        AtomicInteger expired = new AtomicInteger();
        ownerOf.forEach((id, userId) -> {
            JsonNode w = withdrawal(userId, id);
            int approval = approvals.get(id);
            if (w.get("status").asString().equals("APPROVED")) {
                approved.incrementAndGet();
                assertThat(approval).as("approval of %s", id).isEqualTo(200);
                assertThat(expiredHere).doesNotContain(id);
            }
            else {
                expired.incrementAndGet();
                assertThat(w.get("status").asString()).isEqualTo("REJECTED");
                assertThat(w.get("reason").asString()).isEqualTo("expired");
                assertThat(approval).as("approval of %s", id).isEqualTo(409);
            }
        });
        assertThat(approved.get() + expired.get()).isEqualTo(100);
        // Expired here or by the instance's own sweep: never both, never neither.
        assertThat(expiredHere.size()).isLessThanOrEqualTo(expired.get());
        System.out.printf("approve vs expiry, 100 races: %d approved, %d expired (%d by the race, %d by the sweep)%n",
                approved.get(), expired.get(), expiredHere.size(), expired.get() - expiredHere.size());
        Invariants invariants = new Invariants(client);
        users.forEach(userId -> {
            JsonNode wallet = invariants.assertHold(userId);
            assertThat(wallet.get("version").longValue()).isEqualTo(5);   // credit, two requests, two settlements
            assertThat(wallet.get("pending").longValue()).isZero();
        });
    }

    private JsonNode withdrawal(String userId, String id) {
        return client.get().uri("/api/v1/wallets/{u}/withdrawals/{w}", userId, id).exchange()
                .expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();
    }

    private List<String> queue(String status) {
        return Pages.ids(client, "/api/v1/withdrawals?limit=100&status=" + status);
    }
}
