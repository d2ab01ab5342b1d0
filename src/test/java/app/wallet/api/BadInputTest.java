package app.wallet.api;

import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.MediaType;

import app.wallet.support.IntegrationTest;
import app.wallet.support.WalletApi;

import static org.assertj.core.api.Assertions.assertThat;

/** Every bad input of the contract gets its 4xx problem and leaves the wallet's version where it was. */
class BadInputTest extends IntegrationTest {

    private String user;
    private String withdrawalId;
    private WalletApi api;

    @BeforeEach
    void wallet() {
        user = newUserId();
        api = new WalletApi(client);
        api.credit(user, 10_000);
        withdrawalId = api.withdraw(user, 1_000).get("id").stringValue();
    }

    static Stream<Arguments> badAmountBodies() {
        return Stream.of(
                Arguments.of("{\"amount\": 80.5}", "amount"),
                Arguments.of("{\"amount\": \"80\"}", "amount"),
                Arguments.of("{\"amount\": -1}", "amount"),
                Arguments.of("{\"amount\": 0}", "amount"),
                Arguments.of("{\"amount\": 1e3}", "amount"),
                Arguments.of("{\"amount\": 80.0}", "amount"),
                Arguments.of("{\"amount\": null}", "amount"),
                Arguments.of("{}", "amount"),
                Arguments.of("{\"amount\": 1000000001}", "amount"),
                Arguments.of("{\"amount\": 99999999999999999999999}", "amount"),
                Arguments.of("{\"amount\": true}", "amount"),
                Arguments.of("{\"amount\": [100]}", "amount"),
                Arguments.of("{\"amount\": 100, \"ammount\": 5}", "ammount"),
                Arguments.of("{\"amount\": 100, \"amount\": 200}", "body"),
                Arguments.of("{\"amount\": 100", "body"),
                Arguments.of("{\"amount\": 100} {}", "body"),
                Arguments.of("[{\"amount\": 100}]", "body"),
                Arguments.of("100", "body"),
                Arguments.of("", "body"));
    }

    @ParameterizedTest
    @MethodSource("badAmountBodies")
    void badCreditBodiesAreInvalidRequests(String body, String field) {
        expectInvalid("/credits", body, field);
    }

    @ParameterizedTest
    @MethodSource("badAmountBodies")
    void badWithdrawalBodiesAreInvalidRequests(String body, String field) {
        expectInvalid("/withdrawals", body, field);
    }

    @Test
    void aReferenceOver128CharactersIsInvalid() {
        expectInvalid("/credits", "{\"amount\": 1, \"reference\": \"" + "r".repeat(129) + "\"}", "reference");
        expectInvalid("/credits", "{\"amount\": 1, \"reference\": 17}", "reference");
    }

    @Test
    void aReasonOver256CharactersIsInvalid() {
        expectInvalid("/withdrawals/" + withdrawalId + "/reject", "{\"reason\": \"" + "r".repeat(257) + "\"}", "reason");
        expectInvalid("/withdrawals/" + withdrawalId + "/approve", "{\"note\": \"x\"}", "note");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a b", "a{b}", "a:b", "\u00e9", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
    void userIdsOutsideTheSafeAlphabetAreInvalid(String userId) {
        client.post().uri("/api/v1/wallets/{u}/credits", userId).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"amount\": 1}").exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.code").isEqualTo("invalid-request").jsonPath("$.errors[0].field").isEqualTo("userId");
        client.get().uri("/api/v1/wallets/{u}", userId).exchange()
                .expectStatus().isBadRequest();
    }

    @Test
    void aNonJsonBodyIsUnsupportedMediaType() {
        client.post().uri("/api/v1/wallets/{u}/credits", user).contentType(MediaType.TEXT_PLAIN)
                .bodyValue("{\"amount\": 1}").exchange()
                .expectStatus().isEqualTo(415)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.code").isEqualTo("unsupported-media-type");
        assertVersionUnchanged();
    }

    @Test
    void aBodyOver16KibIsPayloadTooLarge() {
        String body = "{\"amount\": 1, \"reference\": \"" + "x".repeat(17 * 1024) + "\"}";
        client.post().uri("/api/v1/wallets/{u}/credits", user).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body).exchange()
                .expectStatus().isEqualTo(413)
                .expectBody().jsonPath("$.code").isEqualTo("payload-too-large");
        assertVersionUnchanged();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "key\twith-tab", "caf\u00e9"})
    void badIdempotencyKeysAreInvalid(String key) {
        client.post().uri("/api/v1/wallets/{u}/credits", user).contentType(MediaType.APPLICATION_JSON)
                .header("Idempotency-Key", key).bodyValue("{\"amount\": 1}").exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("Idempotency-Key");
        assertVersionUnchanged();
    }

    @Test
    void anIdempotencyKeyOver255CharactersIsInvalid() {
        badIdempotencyKeysAreInvalid("k".repeat(256));
    }

    @ParameterizedTest
    @ValueSource(strings = {"limit=0", "limit=101", "limit=abc", "status=DONE", "status=pending", "cursor=xyz"})
    void badListParametersAreInvalid(String query) {
        client.get().uri("/api/v1/wallets/" + user + "/withdrawals?" + query).exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.code").isEqualTo("invalid-request");
    }

    @ParameterizedTest
    @ValueSource(strings = {"limit=0", "limit=500", "cursor=abc", "cursor=0-0", "cursor=99999999999999999999-0",
            "cursor=1-2-3", "cursor=-1"})
    void badTransactionParametersAreInvalid(String query) {
        client.get().uri("/api/v1/wallets/" + user + "/transactions?" + query).exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.code").isEqualTo("invalid-request");
    }

    private void expectInvalid(String path, String body, String field) {
        client.post().uri("/api/v1/wallets/" + user + path).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body).exchange()
                .expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.code").isEqualTo("invalid-request")
                .jsonPath("$.status").isEqualTo(400)
                .jsonPath("$.errors[0].field").isEqualTo(field);
        assertVersionUnchanged();
    }

    private void assertVersionUnchanged() {
        assertThat(api.wallet(user).get("version").longValue()).isEqualTo(2);
        assertThat(api.wallet(user).get("balance").longValue()).isEqualTo(9_000);
    }
}
