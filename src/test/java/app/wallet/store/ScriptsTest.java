package app.wallet.store;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.types.RedisClientInfo;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import reactor.test.StepVerifier;

import app.wallet.support.IntegrationTest;
import app.wallet.support.WalletApi;

import static org.assertj.core.api.Assertions.assertThat;

/** A script reply that answers another request is refused, and the scripts' connection is opened anew. */
@TestPropertySource(properties = "spring.data.redis.client-name=" + WalletScriptsTest.NAME)
class WalletScriptsTest extends IntegrationTest {

    /** Every connection of this test's instance carries it, so the test can tell them from other instances'. */
    static final String NAME = "wallet-scripts-test";

    @Autowired
    private WalletScripts scripts;

    @Autowired
    private LettuceConnectionFactory connections;

    @Test
    void aReplyWithoutItsRequestsTokenFailsTheRequestAndRenewsTheConnection() {
        // What a connection whose replies slipped by one hands back: a well-formed reply to someone else.
        LuaScript answersAnotherRequest = LuaScript.of("credit", "return {0, 0, 10000, 0, 10000, 0, 1, 1, 1, 'f00d'}");
        Set<String> before = ownConnections();
        assertThat(before).as("this instance's named connections").isNotEmpty();

        StepVerifier.create(scripts.run(answersAnotherRequest, List.of("wallet:{p0}:slipped"), List.of("ignored"), "tester"))
                .expectError(RepliesOutOfStepException.class)
                .verify(Duration.ofSeconds(10));

        // The scripts' connections were closed and others opened in their place; every other connection stays.
        Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            Set<String> after = ownConnections();
            assertThat(after).hasSameSizeAs(before);
            Set<String> kept = new HashSet<>(before);
            kept.retainAll(after);
            assertThat(kept).as("kept of %s, now %s", before, after).hasSize(before.size() - 2);
        });
        // Retried with one Idempotency-Key: an attempt caught by the reconnect may have run all the same.
        String user = newUserId();
        String key = UUID.randomUUID().toString();
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                client.post().uri("/api/v1/wallets/{u}/credits", user).contentType(MediaType.APPLICATION_JSON)
                        .header("Idempotency-Key", key)
                        .bodyValue("{\"amount\": 250}").exchange().expectStatus().isOk());
        assertThat(new WalletApi(client).wallet(user).get("balance").longValue()).isEqualTo(250);
    }

    @Test
    void aReplyCarryingItsTokenIsHandedOnWithoutIt() {
        LuaScript echoes = LuaScript.of("echo", "return {-4, 0, ARGV[#ARGV]}");

        StepVerifier.create(scripts.run(echoes, List.of("wallet:{p0}:echo"), List.of("ignored"), "tester"))
                .assertNext(outcome -> assertThat(outcome)
                        .isEqualTo(new ScriptOutcome.Refused(Refusal.WITHDRAWAL_NOT_FOUND, null, null, false)))
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }

    /** The addresses of this instance's connections as Redis lists them. */
    private Set<String> ownConnections() {
        try (RedisConnection connection = connections.getConnection()) {
            return connection.serverCommands().getClientList().stream()
                    .filter(client -> NAME.equals(client.getName()))
                    .map(RedisClientInfo::getAddressPort)
                    .collect(Collectors.toSet());
        }
    }
}
