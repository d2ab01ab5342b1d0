package app.wallet.support;

import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Base of the tests that run the whole service on a random port against the shared real Redis and Kafka. Every
 * test makes its own wallet ids, so tests never need to flush and can share one application context.
 * Every response is checked against the OpenAPI document. BlockHound ({@link BlockHoundSession}) fails any test in which a blocking call runs on a non-blocking thread.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "wallet.stream.resync-interval=1s")
@AutoConfigureWebTestClient
public abstract class IntegrationTest {

    /** Calls as the owner, with every scope, of the wallet a path names ({@link Authorized}). */
    protected WebTestClient client;

    @Autowired
    private WebTestClient server;

    private WebTestClient unauthenticated;

    @LocalServerPort
    protected int port;

    /** Every response the tests receive is checked against the OpenAPI document ({@link ApiContract}). */
    @BeforeEach
    void authorize() {
        unauthenticated = server.mutate().filter(ApiContract.checked()).build();
        client = unauthenticated.mutate().filter(Authorized.asOwnerWithEveryScope()).build();
    }

    /** A client that sends no token unless the test gives one. */
    protected WebTestClient unauthenticatedClient() {
        return unauthenticated;
    }

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry registry) {
        Authorized.trustLocalTokens(registry);
        LocalRedis redis = LocalRedis.shared();
        registry.add("spring.data.redis.host", redis::host);
        registry.add("spring.data.redis.port", redis::port);
        registry.add("spring.kafka.bootstrap-servers", () -> LocalKafka.shared().bootstrapServers());
    }

    /** A client for concurrent bursts, which {@link WebTestClient} exchanges one at a time. */
    protected WebClient concurrentClient() {
        return WebClient.builder().baseUrl("http://127.0.0.1:" + port + "/api/v1")
                .filter(ApiContract.checked()).filter(Authorized.asOwnerWithEveryScope()).build();
    }

    protected static String newUserId() {
        return "u-" + UUID.randomUUID();
    }
}
