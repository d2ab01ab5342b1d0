package app.wallet.support;

import java.util.Map;

import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/** Small steps of the HTTP API for tests that need a wallet in some state before the part they test. */
public final class WalletApi {

    private final WebTestClient client;

    public WalletApi(WebTestClient client) {
        this.client = client;
    }

    public JsonNode credit(String userId, long amount) {
        return post("/api/v1/wallets/" + userId + "/credits", Map.of("amount", amount), 200);
    }

    public JsonNode withdraw(String userId, long amount) {
        return post("/api/v1/wallets/" + userId + "/withdrawals", Map.of("amount", amount), 201);
    }

    public JsonNode approve(String userId, String withdrawalId) {
        return post("/api/v1/wallets/" + userId + "/withdrawals/" + withdrawalId + "/approve", Map.of(), 200);
    }

    public JsonNode reject(String userId, String withdrawalId) {
        return post("/api/v1/wallets/" + userId + "/withdrawals/" + withdrawalId + "/reject", Map.of(), 200);
    }

    public JsonNode wallet(String userId) {
        return client.get().uri("/api/v1/wallets/" + userId).exchange()
                .expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
    }

    private JsonNode post(String path, Object body, int status) {
        return client.post().uri(path).contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
                .expectStatus().isEqualTo(status)
                .expectBody(JsonNode.class).returnResult().getResponseBody();
    }
}
