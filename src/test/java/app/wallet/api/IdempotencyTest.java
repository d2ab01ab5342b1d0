package app.wallet.api;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import reactor.core.publisher.Flux;

import app.wallet.support.IntegrationTest;
import app.wallet.support.WalletApi;

import static org.assertj.core.api.Assertions.assertThat;

/** Idempotency-Key: a retried or duplicated request applies once, even when the copies race. */
class IdempotencyTest extends IntegrationTest {

    record Reply(int status, String body, boolean replayed) {
    }

    @Test
    void twentyConcurrentCopiesApplyOnceAndNineteenAreReplays() {
        String user = newUserId();
        List<Reply> replies = Flux.range(0, 20)
                .flatMap(i -> concurrentClient().post().uri("/wallets/{u}/credits", user)
                        .contentType(MediaType.APPLICATION_JSON)
                        .header("Idempotency-Key", "payout-2026-11-25")
                        .bodyValue(Map.of("amount", 2500, "reference", "order-9"))
                        .exchangeToMono(r -> r.bodyToMono(String.class).map(body -> new Reply(r.statusCode().value(),
                                body, "true".equals(r.headers().asHttpHeaders().getFirst("Idempotent-Replayed"))))), 20)
                .collectList()
                .block(Duration.ofSeconds(30));

        assertThat(replies).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
        assertThat(replies).filteredOn(Reply::replayed).hasSize(19);
        assertThat(replies).extracting(Reply::body).containsOnly(replies.get(0).body());
        var wallet = new WalletApi(client).wallet(user);
        assertThat(wallet.get("totalEarnings").longValue()).isEqualTo(2500);
        assertThat(wallet.get("version").longValue()).isEqualTo(1);
    }

    @Test
    void theSameKeyWithAnotherRequestIsRefused() {
        String user = newUserId();
        credit(user, "k-1", "{\"amount\": 100}").expectStatus().isOk();
        credit(user, "k-1", "{\"amount\": 101}")
                .expectStatus().isEqualTo(422)
                .expectBody().jsonPath("$.code").isEqualTo("idempotency-key-reused");
        credit(user, "k-1", "{\"amount\": 100, \"reference\": \"other\"}").expectStatus().isEqualTo(422);
        assertThat(new WalletApi(client).wallet(user).get("version").longValue()).isEqualTo(1);
    }

    @Test
    void aMissingReferenceAndTheReferenceNullAreDifferentRequests() {
        String user = newUserId();
        credit(user, "k-3", "{\"amount\": 100}").expectStatus().isOk();
        credit(user, "k-3", "{\"amount\": 100, \"reference\": \"null\"}")
                .expectStatus().isEqualTo(422)
                .expectBody().jsonPath("$.code").isEqualTo("idempotency-key-reused");
    }

    @Test
    void aReplayIgnoresSpacingAndFieldOrder() {
        String user = newUserId();
        credit(user, "k-2", "{\"amount\": 100, \"reference\": \"r\"}").expectStatus().isOk();
        credit(user, "k-2", "{ \"reference\":\"r\",\"amount\":100 }")
                .expectStatus().isOk()
                .expectHeader().valueEquals("Idempotent-Replayed", "true");
    }

    @Test
    void aReplayedWithdrawalKeepsItsFirstStatusAndBody() {
        String user = newUserId();
        new WalletApi(client).credit(user, 1000);
        byte[] first = withdraw(user, "w-1").expectStatus().isCreated()
                .expectBody().returnResult().getResponseBody();
        new WalletApi(client).credit(user, 5);
        withdraw(user, "w-1").expectStatus().isCreated()
                .expectHeader().valueEquals("Idempotent-Replayed", "true")
                .expectBody().json(new String(first));
        assertThat(new WalletApi(client).wallet(user).get("pending").longValue()).isEqualTo(600);
    }

    @Test
    void aRefusalIsReplayedAsARefusal() {
        String user = newUserId();
        new WalletApi(client).credit(user, 100);
        withdraw(user, "w-2").expectStatus().isEqualTo(422);
        new WalletApi(client).credit(user, 1000);
        withdraw(user, "w-2").expectStatus().isEqualTo(422)
                .expectHeader().valueEquals("Idempotent-Replayed", "true")
                .expectBody().jsonPath("$.code").isEqualTo("insufficient-balance");
    }

    @Test
    void keysAreScopedPerOperation() {
        String user = newUserId();
        credit(user, "shared", "{\"amount\": 1000}").expectStatus().isOk();
        withdraw(user, "shared").expectStatus().isCreated().expectHeader().doesNotExist("Idempotent-Replayed");
    }

    private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec credit(String user, String key, String body) {
        return client.post().uri("/api/v1/wallets/{u}/credits", user).contentType(MediaType.APPLICATION_JSON)
                .header("Idempotency-Key", key).bodyValue(body).exchange();
    }

    private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec withdraw(String user, String key) {
        return client.post().uri("/api/v1/wallets/{u}/withdrawals", user).contentType(MediaType.APPLICATION_JSON)
                .header("Idempotency-Key", key).bodyValue("{\"amount\": 600}").exchange();
    }
}
