package app.wallet.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import app.wallet.support.IntegrationTest;
import app.wallet.support.Pages;
import app.wallet.support.WalletApi;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /api/v1/withdrawals}: every wallet's withdrawals of a status, oldest first, paged. Other tests share
 * the Redis, so the queue holds their withdrawals too: the checks are about this test's own, and the order of all.
 */
class OperatorQueueTest extends IntegrationTest {

    @Test
    void thePendingQueueListsEveryWalletsWithdrawalsOldestFirstAndPagesStayStableWhileOperatorsWork() {
        WalletApi api = new WalletApi(client);
        List<String> users = new ArrayList<>();
        Map<String, String> ownerOf = new LinkedHashMap<>();   // withdrawal id -> user, oldest first
        for (int u = 0; u < 12; u++) {
            users.add(newUserId());
            api.credit(users.get(u), 1_000);
        }
        for (int round = 0; round < 3; round++) {
            for (String user : users) {
                ownerOf.put(api.withdraw(user, 10).get("id").asString(), user);
            }
        }
        List<String> mine = List.copyOf(ownerOf.keySet());

        // Page through with a small limit; between pages, operators settle some of this test's withdrawals
        // on either side of the cursor.
        List<String> seen = new ArrayList<>();
        Map<String, String> settled = new HashMap<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = queue("PENDING", 7, cursor);
            for (JsonNode item : page.get("items")) {
                assertThat(item.get("status").asString()).isEqualTo("PENDING");
                seen.add(item.get("id").asString());
            }
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asString();
            if (pages == 1) {
                for (int i = 0; i < mine.size(); i += 5) {
                    String id = mine.get(i);
                    api.approve(ownerOf.get(id), id);
                    settled.put(id, "APPROVED");
                }
                for (int i = 2; i < mine.size(); i += 5) {
                    String id = mine.get(i);
                    api.reject(ownerOf.get(id), id);
                    settled.put(id, "REJECTED");
                }
            }
            pages++;
        } while (cursor != null);

        assertThat(seen).doesNotHaveDuplicates();
        assertThat(seen).isSortedAccordingTo(String::compareTo);
        List<String> seenOfMine = seen.stream().filter(ownerOf::containsKey).toList();
        assertThat(seenOfMine).isSortedAccordingTo(String::compareTo);
        for (String id : mine) {
            if (!settled.containsKey(id)) {
                assertThat(seenOfMine).as("still pending, never skipped").contains(id);
            }
        }
        // Oldest first: this test's withdrawals come in the order they were made.
        assertThat(seenOfMine).isEqualTo(mine.stream().filter(seenOfMine::contains).toList());

        Set<String> approved = Set.copyOf(all("APPROVED").stream().filter(settled::containsKey).toList());
        Set<String> rejected = Set.copyOf(all("REJECTED").stream().filter(settled::containsKey).toList());
        settled.forEach((id, status) -> assertThat(status.equals("APPROVED") ? approved : rejected).contains(id));
        assertThat(all("PENDING")).doesNotContainAnyElementsOf(settled.keySet());
        assertThat(all("EXPIRED")).doesNotContainAnyElementsOf(mine);
    }

    @Test
    void aBadStatusLimitOrCursorIsRefused() {
        for (String query : List.of("status=pending", "status=ALL", "limit=0", "limit=101", "cursor=%21%21", "cursor=YWJj",
                "cursor=MDE5YS0xMjM0OmFsaWNl")) {
            client.get().uri("/api/v1/withdrawals?" + query).exchange()
                    .expectStatus().isBadRequest()
                    .expectBody().jsonPath("$.code").isEqualTo("invalid-request");
        }
    }

    private List<String> all(String status) {
        return Pages.ids(client, "/api/v1/withdrawals?limit=100&status=" + status);
    }

    private JsonNode queue(String status, int limit, String cursor) {
        return client.get().uri(cursor == null ? "/api/v1/withdrawals?status={s}&limit={l}"
                        : "/api/v1/withdrawals?status={s}&limit={l}&cursor={c}", status, limit, cursor).exchange()
                .expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
    }
}
