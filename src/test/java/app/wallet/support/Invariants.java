package app.wallet.support;

import java.util.List;

import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks a wallet through the public API alone: conservation, no negative field, pending equal to its
 * PENDING withdrawals, and a ledger that replays from zero to exactly the wallet's fields.
 */
public final class Invariants {

    private final WebTestClient client;

    public Invariants(WebTestClient client) {
        this.client = client;
    }

    public JsonNode assertHold(String userId) {
        JsonNode wallet = get("/api/v1/wallets/" + userId);
        long balance = wallet.get("balance").longValue();
        long pending = wallet.get("pending").longValue();
        long earnings = wallet.get("totalEarnings").longValue();
        long withdrawn = wallet.get("totalWithdrawn").longValue();
        assertThat(balance).as("balance of %s", userId).isNotNegative();
        assertThat(pending).as("pending of %s", userId).isNotNegative();
        assertThat(balance + pending + withdrawn).as("conservation of %s", userId).isEqualTo(earnings);

        long pendingWithdrawals = all("/api/v1/wallets/" + userId + "/withdrawals?status=PENDING&limit=100").stream()
                .mapToLong(w -> w.get("amount").longValue()).sum();
        assertThat(pendingWithdrawals).as("pending of %s is its PENDING withdrawals", userId).isEqualTo(pending);

        List<JsonNode> ledger = all("/api/v1/wallets/" + userId + "/transactions?limit=100");
        long[] replayed = new long[4];
        long version = 0;
        java.util.Collections.reverse(ledger);
        for (JsonNode entry : ledger) {
            long amount = entry.get("amount").longValue();
            switch (entry.get("type").stringValue()) {
                case "CREDIT" -> { replayed[0] += amount; replayed[2] += amount; }
                case "WITHDRAWAL_REQUESTED" -> { replayed[0] -= amount; replayed[1] += amount; }
                case "WITHDRAWAL_APPROVED" -> { replayed[1] -= amount; replayed[3] += amount; }
                case "WITHDRAWAL_REJECTED" -> { replayed[1] -= amount; replayed[0] += amount; }
                default -> throw new AssertionError("Unknown ledger entry " + entry);
            }
            version++;
            assertThat(entry.get("version").longValue()).as("ledger versions of %s", userId).isEqualTo(version);
            assertThat(entry.get("balanceAfter").longValue()).isEqualTo(replayed[0]);
            assertThat(entry.get("pendingAfter").longValue()).isEqualTo(replayed[1]);
        }
        assertThat(replayed).as("ledger replay of %s", userId).containsExactly(balance, pending, earnings, withdrawn);
        assertThat(version).isEqualTo(wallet.get("version").longValue());
        return wallet;
    }

    private List<JsonNode> all(String firstPage) {
        return Pages.all(client, firstPage);
    }

    private JsonNode get(String uri) {
        return client.get().uri(uri).exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
    }
}
