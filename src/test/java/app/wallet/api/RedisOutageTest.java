package app.wallet.api;

import java.io.IOException;
import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import app.wallet.support.Authorized;
import app.wallet.support.LocalRedis;
import app.wallet.support.WalletApi;

import static org.assertj.core.api.Assertions.assertThat;

/** With Redis gone every request is a clean 503, and nothing was changed when it comes back. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
@DirtiesContext
class RedisOutageTest {

    private static final LocalRedis REDIS = LocalRedis.startProcess();

    private WebTestClient client;

    @Autowired
    void client(WebTestClient unauthenticated) {
        client = unauthenticated.mutate().filter(Authorized.asOwnerWithEveryScope()).build();
    }

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry registry) {
        Authorized.trustLocalTokens(registry);
        registry.add("spring.data.redis.host", REDIS::host);
        registry.add("spring.data.redis.port", REDIS::port);
    }

    @AfterAll
    static void stop() {
        REDIS.close();
    }

    @Test
    void redisDownMeansServiceUnavailableAndNothingHalfDone() throws IOException {
        WalletApi api = new WalletApi(client);
        api.credit("outage", 10_000);
        String withdrawalId = api.withdraw("outage", 1_000).get("id").stringValue();

        REDIS.pause();
        try {
            expectUnavailable(client.post().uri("/api/v1/wallets/outage/credits")
                    .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"amount\": 500}").exchange());
            expectUnavailable(client.post().uri("/api/v1/wallets/outage/withdrawals")
                    .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"amount\": 500}").exchange());
            expectUnavailable(client.post().uri("/api/v1/wallets/outage/withdrawals/" + withdrawalId + "/approve").exchange());
            expectUnavailable(client.get().uri("/api/v1/wallets/outage").exchange());
            client.get().uri("/actuator/health").exchange().expectStatus().isEqualTo(503);
        }
        finally {
            REDIS.resume();
        }

        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                client.get().uri("/api/v1/wallets/outage").exchange().expectStatus().isOk());
        var wallet = api.wallet("outage");
        assertThat(wallet.get("version").longValue()).isEqualTo(2);
        assertThat(wallet.get("balance").longValue()).isEqualTo(9_000);
        assertThat(wallet.get("pending").longValue()).isEqualTo(1_000);
        assertThat(api.approve("outage", withdrawalId).get("wallet").get("totalWithdrawn").longValue()).isEqualTo(1_000);
    }

    private static void expectUnavailable(WebTestClient.ResponseSpec response) {
        response.expectStatus().isEqualTo(503)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.code").isEqualTo("service-unavailable")
                .jsonPath("$.detail").value(String.class, detail -> assertThat(detail).doesNotContain("Exception"));
    }
}
