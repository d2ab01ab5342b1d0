package app.wallet.api;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;

import app.wallet.support.IntegrationTest;
import app.wallet.support.WalletApi;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP contract of wallets, withdrawals and the ledger, one behaviour per test. */
class WalletApiTest extends IntegrationTest {

    @Test
    void firstCreditCreatesTheWallet() {
        String user = newUserId();
        client.post().uri("/api/v1/wallets/{u}/credits", user)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"amount\": 10000, \"reference\": \"order-17\"}")
                .exchange()
                .expectStatus().isOk()
                .expectHeader().doesNotExist("Idempotent-Replayed")
                .expectBody()
                .jsonPath("$.userId").isEqualTo(user)
                .jsonPath("$.currency").isEqualTo("USD")
                .jsonPath("$.balance").isEqualTo(10000)
                .jsonPath("$.pending").isEqualTo(0)
                .jsonPath("$.totalEarnings").isEqualTo(10000)
                .jsonPath("$.totalWithdrawn").isEqualTo(0)
                .jsonPath("$.version").isEqualTo(1)
                .jsonPath("$.createdAt").value(String.class, at -> assertThat(at).matches("\\d{4}-\\d\\d-\\d\\dT.*Z"));
    }

    @Test
    void metricsHaveTheOperationsAndNoTimerPerRedisCommand() {
        new WalletApi(client).credit(newUserId(), 100);
        String metrics = client.get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(metrics).contains("wallet_operations_total{").contains("wallet_operation_duration_seconds_bucket{");
        // Lettuce's per-command observation is excluded (application.yaml): it costs every change CPU.
        assertThat(metrics).doesNotContain("lettuce_");
    }

    @Test
    void unknownWalletIsAProblem() {
        client.get().uri("/api/v1/wallets/{u}", newUserId()).exchange()
                .expectStatus().isNotFound()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.code").isEqualTo("wallet-not-found")
                .jsonPath("$.status").isEqualTo(404)
                .jsonPath("$.title").exists()
                .jsonPath("$.type").exists();
    }

    @Test
    void withdrawalIsCreatedPendingWithItsLocation() {
        String user = newUserId();
        WalletApi api = new WalletApi(client);
        api.credit(user, 10_000);
        JsonNode withdrawal = client.post().uri("/api/v1/wallets/{u}/withdrawals", user)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("amount", 8000)).exchange()
                .expectStatus().isCreated()
                .expectHeader().value("Location", location -> assertThat(location)
                        .startsWith("/api/v1/wallets/" + user + "/withdrawals/"))
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        assertThat(withdrawal.get("status").stringValue()).isEqualTo("PENDING");
        assertThat(withdrawal.get("amount").longValue()).isEqualTo(8000);
        assertThat(withdrawal.get("processedAt").isNull()).isTrue();
        assertThat(withdrawal.get("reason").isNull()).isTrue();
        assertThat(withdrawal.get("wallet").get("balance").longValue()).isEqualTo(2000);
        assertThat(withdrawal.get("wallet").get("pending").longValue()).isEqualTo(8000);
        assertThat(withdrawal.get("wallet").get("version").longValue()).isEqualTo(2);

        client.get().uri("/api/v1/wallets/{u}/withdrawals/{id}", user, withdrawal.get("id").stringValue()).exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("PENDING").jsonPath("$.amount").isEqualTo(8000);
    }

    @Test
    void withdrawingFromAnUnknownWalletIsWalletNotFound() {
        client.post().uri("/api/v1/wallets/{u}/withdrawals", newUserId())
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("amount", 1)).exchange()
                .expectStatus().isNotFound()
                .expectBody().jsonPath("$.code").isEqualTo("wallet-not-found");
    }

    @Test
    void withdrawingMoreThanTheBalanceIsInsufficientBalance() {
        String user = newUserId();
        new WalletApi(client).credit(user, 100);
        client.post().uri("/api/v1/wallets/{u}/withdrawals", user)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("amount", 101)).exchange()
                .expectStatus().isEqualTo(422)
                .expectBody().jsonPath("$.code").isEqualTo("insufficient-balance");
    }

    @Test
    void approveMovesPendingToTotalWithdrawnOnce() {
        String user = newUserId();
        WalletApi api = new WalletApi(client);
        api.credit(user, 10_000);
        String id = api.withdraw(user, 8000).get("id").stringValue();
        JsonNode approved = api.approve(user, id);
        assertThat(approved.get("status").stringValue()).isEqualTo("APPROVED");
        assertThat(approved.get("processedAt").isNull()).isFalse();
        assertThat(approved.get("wallet").get("pending").longValue()).isZero();
        assertThat(approved.get("wallet").get("totalWithdrawn").longValue()).isEqualTo(8000);
        assertThat(approved.get("wallet").get("balance").longValue()).isEqualTo(2000);

        client.post().uri("/api/v1/wallets/{u}/withdrawals/{id}/reject", user, id).exchange()
                .expectStatus().isEqualTo(409)
                .expectBody().jsonPath("$.code").isEqualTo("withdrawal-not-pending");
    }

    @Test
    void rejectRefundsTheBalanceAndKeepsTheReason() {
        String user = newUserId();
        WalletApi api = new WalletApi(client);
        api.credit(user, 10_000);
        String id = api.withdraw(user, 8000).get("id").stringValue();
        client.post().uri("/api/v1/wallets/{u}/withdrawals/{id}/reject", user, id)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("reason", "account closed")).exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.status").isEqualTo("REJECTED")
                .jsonPath("$.reason").isEqualTo("account closed")
                .jsonPath("$.wallet.balance").isEqualTo(10000)
                .jsonPath("$.wallet.pending").isEqualTo(0)
                .jsonPath("$.wallet.version").isEqualTo(3);
    }

    @Test
    void unknownOrMalformedWithdrawalIdsAreNotFound() {
        String user = newUserId();
        new WalletApi(client).credit(user, 1);
        for (String id : new String[] {"0193a4b2-0000-7000-8000-000000000000", "not-an-id", "{p1}"}) {
            client.post().uri("/api/v1/wallets/{u}/withdrawals/{id}/approve", user, id).exchange()
                    .expectStatus().isNotFound()
                    .expectBody().jsonPath("$.code").isEqualTo("withdrawal-not-found");
            client.get().uri("/api/v1/wallets/{u}/withdrawals/{id}", user, id).exchange()
                    .expectStatus().isNotFound()
                    .expectBody().jsonPath("$.code").isEqualTo("withdrawal-not-found");
        }
    }

    @Test
    void withdrawalsAreListedNewestFirstByStatusAndPage() {
        String user = newUserId();
        WalletApi api = new WalletApi(client);
        api.credit(user, 1_000);
        String first = api.withdraw(user, 10).get("id").stringValue();
        String second = api.withdraw(user, 20).get("id").stringValue();
        String third = api.withdraw(user, 30).get("id").stringValue();
        api.approve(user, second);

        JsonNode page = list("/api/v1/wallets/" + user + "/withdrawals?limit=2");
        assertThat(ids(page)).containsExactly(third, second);
        String cursor = page.get("nextCursor").stringValue();
        JsonNode last = list("/api/v1/wallets/" + user + "/withdrawals?limit=2&cursor=" + cursor);
        assertThat(ids(last)).containsExactly(first);
        assertThat(last.get("nextCursor").isNull()).isTrue();

        assertThat(ids(list("/api/v1/wallets/" + user + "/withdrawals?status=PENDING"))).containsExactly(third, first);
        assertThat(ids(list("/api/v1/wallets/" + user + "/withdrawals?status=APPROVED"))).containsExactly(second);
        assertThat(ids(list("/api/v1/wallets/" + user + "/withdrawals?status=REJECTED"))).isEmpty();
    }

    @Test
    void transactionsAreTheLedgerNewestFirstInPages() {
        String user = newUserId();
        WalletApi api = new WalletApi(client);
        api.credit(user, 1_000);
        String id = api.withdraw(user, 400).get("id").stringValue();
        api.reject(user, id);

        JsonNode page = list("/api/v1/wallets/" + user + "/transactions?limit=2");
        assertThat(page.get("items")).extracting(e -> e.get("type").stringValue())
                .containsExactly("WITHDRAWAL_REJECTED", "WITHDRAWAL_REQUESTED");
        JsonNode newest = page.get("items").get(0);
        assertThat(newest.get("withdrawalId").stringValue()).isEqualTo(id);
        assertThat(newest.get("balanceAfter").longValue()).isEqualTo(1_000);
        assertThat(newest.get("pendingAfter").longValue()).isZero();
        assertThat(newest.get("version").longValue()).isEqualTo(3);

        JsonNode rest = list("/api/v1/wallets/" + user + "/transactions?limit=2&cursor=" + page.get("nextCursor").stringValue());
        assertThat(rest.get("items")).extracting(e -> e.get("type").stringValue()).containsExactly("CREDIT");
        assertThat(rest.get("nextCursor").isNull()).isTrue();
    }

    @Test
    void transactionsOfAnUnknownWalletAreNotFound() {
        client.get().uri("/api/v1/wallets/{u}/transactions", newUserId()).exchange()
                .expectStatus().isNotFound()
                .expectBody().jsonPath("$.code").isEqualTo("wallet-not-found");
    }

    private JsonNode list(String uri) {
        return client.get().uri(uri).exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
    }

    private static java.util.List<String> ids(JsonNode page) {
        java.util.List<String> ids = new java.util.ArrayList<>();
        page.get("items").forEach(item -> ids.add(item.get("id").stringValue()));
        return ids;
    }
}
