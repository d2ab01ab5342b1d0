package app.wallet.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

import app.wallet.support.IntegrationTest;
import app.wallet.support.Invariants;
import app.wallet.support.WalletApi;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code POST /api/v1/credits:batch}: each credit atomic and idempotent on its own, the batch idempotent by its key. */
class CreditBatchTest extends IntegrationTest {

    @Test
    void eachCreditAppliesOnItsOwnAndIsReportedInItsPlace() {
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            users.add(newUserId());
        }
        WalletApi api = new WalletApi(client);
        api.credit(users.get(9), 5);
        // The earnings run: six credits per user, then a copy of the first item (same key, same request) and
        // an item reusing a key with another amount, refused in its place.
        List<Map<String, Object>> items = new ArrayList<>();
        Map<String, Long> expected = new HashMap<>();
        for (int round = 0; round < 6; round++) {
            for (String user : users) {
                items.add(item(user, 100 + round, "earning-" + round + "-" + user));
                expected.merge(user, 100L + round, Long::sum);
            }
        }
        items.add(item(users.get(0), 100, "earning-0-" + users.get(0)));
        items.add(item(users.get(1), 999, "earning-0-" + users.get(1)));

        JsonNode result = batch(Map.of("items", items), null).expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        assertThat(result.get("results")).hasSize(items.size());
        for (int i = 0; i < 300; i++) {
            JsonNode item = result.get("results").get(i);
            assertThat(item.get("status").asString()).as("item %d", i).isEqualTo("applied");
            assertThat(item.get("userId").asString()).isEqualTo(items.get(i).get("userId"));
            assertThat(item.get("idempotencyKey").asString()).isEqualTo(items.get(i).get("idempotencyKey"));
            assertThat(item.get("problem").isNull()).isTrue();
        }
        JsonNode copy = result.get("results").get(300);
        assertThat(copy.get("status").asString()).isEqualTo("replayed");
        assertThat(copy.get("wallet")).isEqualTo(result.get("results").get(0).get("wallet"));
        JsonNode reused = result.get("results").get(301);
        assertThat(reused.get("status").asString()).isEqualTo("refused");
        assertThat(reused.get("wallet").isNull()).isTrue();
        assertThat(reused.get("problem").get("code").asString()).isEqualTo("idempotency-key-reused");
        assertThat(reused.get("problem").get("status").intValue()).isEqualTo(422);
        assertThat(result.get("applied").intValue()).isEqualTo(300);
        assertThat(result.get("replayed").intValue()).isEqualTo(1);
        assertThat(result.get("refused").intValue()).isEqualTo(1);

        Invariants invariants = new Invariants(client);
        for (String user : users) {
            long before = user.equals(users.get(9)) ? 5 : 0;
            assertThat(invariants.assertHold(user).get("balance").longValue()).as(user).isEqualTo(before + expected.get(user));
        }

        // The same batch again, without a key of its own: every credit is found by its key, none applies twice.
        JsonNode again = batch(Map.of("items", items), null).expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        assertThat(again.get("replayed").intValue()).isEqualTo(301);
        assertThat(again.get("refused").intValue()).isEqualTo(1);
        assertThat(api.wallet(users.get(3)).get("balance").longValue()).isEqualTo(expected.get(users.get(3)));
    }

    @Test
    void aSingleCreditWithAnItemsKeyAndRequestIsThatItemsReplay() {
        String user = newUserId();
        JsonNode result = batch(Map.of("items", List.of(item(user, 250, "pay-1"))), null)
                .expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();
        assertThat(result.get("applied").intValue()).isEqualTo(1);
        client.post().uri("/api/v1/wallets/{u}/credits", user)
                .headers(h -> h.setBearerAuth(LocalTokensHolder.EARNINGS))
                .header("Idempotency-Key", "pay-1")
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("amount", 250)).exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals("Idempotent-Replayed", "true");
        assertThat(new WalletApi(client).wallet(user).get("balance").longValue()).isEqualTo(250);
    }

    @Test
    void theBatchIsIdempotentByItsOwnKey() {
        String user = newUserId();
        Map<String, Object> body = Map.of("items", List.of(item(user, 40, "a"), item(user, 2, "b")));
        String first = batch(body, "run-2026-11-27").expectStatus().isOk()
                .expectHeader().doesNotExist("Idempotent-Replayed")
                .expectBody(String.class).returnResult().getResponseBody();
        String second = batch(body, "run-2026-11-27").expectStatus().isOk()
                .expectHeader().valueEquals("Idempotent-Replayed", "true")
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(second).isEqualTo(first);
        batch(Map.of("items", List.of(item(user, 41, "a"))), "run-2026-11-27")
                .expectStatus().isEqualTo(422)
                .expectBody().jsonPath("$.code").isEqualTo("idempotency-key-reused");
        // The same credits under other keys are another batch, not a repeat of this one.
        batch(Map.of("items", List.of(item(user, 40, "c"), item(user, 2, "d"))), "run-2026-11-27")
                .expectStatus().isEqualTo(422)
                .expectBody().jsonPath("$.code").isEqualTo("idempotency-key-reused");
        assertThat(new WalletApi(client).wallet(user).get("balance").longValue()).isEqualTo(42);
    }

    @Test
    void badInputAnywhereRefusesTheWholeBatchAndChangesNothing() {
        String user = newUserId();
        List<Map<String, Object>> thousandAndOne = new ArrayList<>();
        for (int i = 0; i <= 1_000; i++) {
            thousandAndOne.add(item(user, 1, "k-" + i));
        }
        Map<String, Object> noKey = new HashMap<>(item(user, 5, "x"));
        noKey.remove("idempotencyKey");
        List<Object[]> cases = List.of(
                new Object[] {"{}", "items"},
                new Object[] {"{\"items\": []}", "items"},
                new Object[] {"{\"items\": {}}", "items"},
                new Object[] {"{\"items\": [1]}", "items[0]"},
                new Object[] {"{\"items\": [{\"userId\": \"" + user + "\", \"amount\": 1.5, \"idempotencyKey\": \"a\"}]}", "items[0].amount"},
                new Object[] {"{\"items\": [{\"userId\": \"a b\", \"amount\": 1, \"idempotencyKey\": \"a\"}]}", "items[0].userId"},
                new Object[] {"{\"items\": [{\"userId\": \"" + user + "\", \"amount\": 1, \"idempotencyKey\": \"\"}]}", "items[0].idempotencyKey"},
                new Object[] {"{\"items\": [{\"userId\": \"" + user + "\", \"amount\": 1, \"idempotencyKey\": \"a\", \"ammount\": 2}]}", "items[0].ammount"});
        for (Object[] bad : cases) {
            batch(bad[0], null).expectStatus().isBadRequest()
                    .expectBody().jsonPath("$.code").isEqualTo("invalid-request")
                    .jsonPath("$.errors[0].field").isEqualTo(bad[1]);
        }
        batch(Map.of("items", thousandAndOne), null).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("items");
        // One bad item among good ones: none applies.
        batch(Map.of("items", List.of(item(user, 5, "good"), noKey)), null).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("items[1].idempotencyKey");
        client.get().uri("/api/v1/wallets/{u}", user).exchange().expectStatus().isNotFound();
    }

    @Test
    void onlyTheEarningsScopeMaySendABatch() {
        String user = newUserId();
        batch(Map.of("items", List.of(item(user, 5, "x"))), null,
                app.wallet.support.LocalTokens.shared().token(user, "wallet:read wallet:withdraw wallet:operate",
                        java.time.Duration.ofMinutes(5)))
                .expectStatus().isForbidden();
        client.get().uri("/api/v1/wallets/{u}", user).exchange().expectStatus().isNotFound();
    }

    private static Map<String, Object> item(String userId, long amount, String key) {
        return Map.of("userId", userId, "amount", amount, "idempotencyKey", key);
    }

    private WebTestClient.ResponseSpec batch(Object body, String key) {
        return batch(body, key, LocalTokensHolder.EARNINGS);
    }

    private WebTestClient.ResponseSpec batch(Object body, String key, String token) {
        return unauthenticatedClient().post().uri("/api/v1/credits:batch")
                .headers(h -> {
                    h.setBearerAuth(token);
                    if (key != null) {
                        h.set("Idempotency-Key", key);
                    }
                })
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    /** The earnings service's token: one caller for batches and single credits, so their keys are one scope. */
    private static final class LocalTokensHolder {
        static final String EARNINGS = app.wallet.support.LocalTokens.shared().token("earnings-service", "wallet:credit",
                java.time.Duration.ofHours(1));
    }
}
