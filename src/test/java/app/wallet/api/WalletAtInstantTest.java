package app.wallet.api;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import app.wallet.support.IntegrationTest;
import app.wallet.support.Pages;
import app.wallet.support.WalletApi;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /wallets/{userId}?at=}: the wallet as its ledger says it was at an instant. */
class WalletAtInstantTest extends IntegrationTest {

    @Test
    void eachInstantShowsTheStateOfTheNewestEntryAtOrBeforeIt() throws InterruptedException {
        String userId = newUserId();
        WalletApi api = new WalletApi(client);
        api.credit(userId, 10_000);
        Thread.sleep(3);
        String first = api.withdraw(userId, 3_000).get("id").asString();
        Thread.sleep(3);
        api.approve(userId, first);
        Thread.sleep(3);
        String second = api.withdraw(userId, 2_000).get("id").asString();
        Thread.sleep(3);
        api.reject(userId, second);
        Thread.sleep(3);
        // More than a page of the backward walk (100 entries) after the early instants.
        for (int i = 0; i < 120; i++) {
            api.credit(userId, 1);
        }
        List<JsonNode> ledger = ledgerOldestFirst(userId);
        assertThat(ledger).hasSize(125);

        long earnings = 0;
        long withdrawn = 0;
        for (int i = 0; i < ledger.size(); i++) {
            JsonNode entry = ledger.get(i);
            long amount = entry.get("amount").longValue();
            switch (entry.get("type").asString()) {
                case "CREDIT" -> earnings += amount;
                case "WITHDRAWAL_APPROVED" -> withdrawn += amount;
                default -> { }
            }
            boolean newestAtItsInstant = i + 1 == ledger.size() || !ledger.get(i + 1).get("at").equals(entry.get("at"));
            if (i < 6 || i % 40 == 0 || i == ledger.size() - 1) {
                if (!newestAtItsInstant) {
                    continue;   // several entries in one millisecond: the instant shows the newest of them
                }
                JsonNode wallet = walletAt(userId, entry.get("at").asString());
                assertThat(wallet.get("version").longValue()).isEqualTo(entry.get("version").longValue());
                assertThat(wallet.get("balance").longValue()).isEqualTo(entry.get("balanceAfter").longValue());
                assertThat(wallet.get("pending").longValue()).isEqualTo(entry.get("pendingAfter").longValue());
                assertThat(wallet.get("totalEarnings").longValue()).isEqualTo(earnings);
                assertThat(wallet.get("totalWithdrawn").longValue()).isEqualTo(withdrawn);
                assertThat(wallet.get("updatedAt").asString()).isEqualTo(entry.get("at").asString());
                assertThat(wallet.get("balance").longValue() + wallet.get("pending").longValue() + withdrawn).isEqualTo(earnings);
            }
        }

        JsonNode now = api.wallet(userId);
        assertThat(walletAt(userId, "2999-01-01T00:00:00Z")).isEqualTo(now);
        Instant beforeFirst = Instant.parse(ledger.get(0).get("at").asString()).minusMillis(1);
        client.get().uri("/api/v1/wallets/{u}?at={at}", userId, beforeFirst.toString()).exchange()
                .expectStatus().isNotFound()
                .expectBody().jsonPath("$.code").isEqualTo("wallet-not-found");
        // An offset other than Z names the same instant.
        assertThat(walletAt(userId, "3000-01-01T01:00:00+01:00")).isEqualTo(now);
    }

    @Test
    void anInstantThatIsNotOneIsRefusedAndAnUnknownWalletIsNotFound() {
        for (String bad : List.of("yesterday", "2026-11-25", "2026-11-25T06:00:00", "1732514400000", "")) {
            client.get().uri("/api/v1/wallets/{u}?at={at}", "alice", bad).exchange()
                    .expectStatus().isBadRequest()
                    .expectBody().jsonPath("$.code").isEqualTo("invalid-request")
                    .jsonPath("$.errors[0].field").isEqualTo("at");
        }
        client.get().uri("/api/v1/wallets/{u}?at=2026-11-25T06:00:00Z", newUserId()).exchange()
                .expectStatus().isNotFound()
                .expectBody().jsonPath("$.code").isEqualTo("wallet-not-found");
    }

    private JsonNode walletAt(String userId, String at) {
        return client.get().uri("/api/v1/wallets/{u}?at={at}", userId, at).exchange()
                .expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
    }

    private List<JsonNode> ledgerOldestFirst(String userId) {
        List<JsonNode> entries = new ArrayList<>(Pages.all(client, "/api/v1/wallets/" + userId + "/transactions?limit=100"));
        Collections.reverse(entries);
        return entries;
    }
}
