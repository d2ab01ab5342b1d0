package app.wallet.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
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

import app.wallet.support.ApiContract;
import app.wallet.support.Authorized;
import app.wallet.support.LocalRedis;
import app.wallet.support.LoggedEvents;
import app.wallet.support.RedisWire;
import app.wallet.support.WalletApi;
import app.wallet.web.Problems;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With Redis gone or still loading its data every request is a clean 503 and the instance is not ready
 * (but live); nothing was changed when it comes back, and the service answers again within about a second
 * of it. Kafka is unreachable throughout, which changes none of that.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
@DirtiesContext
class RedisOutageTest {

    /**
     * Each key read back from disk at a restart waits this long (microseconds), so the load can be watched.
     * Redis answers clients between every 2 MiB it loads (Redis 7 can be told to do so more often; 6.2, the
     * binary of a machine without Redis, cannot), so the filler keys below are large and stored uncompressed.
     */
    private static final LocalRedis REDIS = LocalRedis.startProcess("key-load-delay 1000", "rdbcompression no");

    private WebTestClient client;
    @Autowired
    private MeterRegistry meters;

    @Autowired
    void client(WebTestClient unauthenticated) {
        client = unauthenticated.mutate().filter(ApiContract.checked()).filter(Authorized.asOwnerWithEveryScope()).build();
    }

    /** No broker: the instance runs with Kafka unreachable throughout, as it may in production. */
    private static final int NO_KAFKA = LocalRedis.freePort();

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry registry) {
        Authorized.trustLocalTokens(registry);
        registry.add("spring.data.redis.host", REDIS::host);
        registry.add("spring.data.redis.port", REDIS::port);
        registry.add("spring.kafka.bootstrap-servers", () -> "127.0.0.1:" + NO_KAFKA);
    }

    /**
     * Liveness is the process alone, readiness what serving needs: with Kafka unreachable the instance is
     * live, ready and takes money (its events wait in the outbox); with Redis gone it is live, not ready.
     */
    @Test
    void probesMeanWhatTheySay() throws IOException {
        client.get().uri("/actuator/health").exchange().expectBody()
                .jsonPath("$.components.kafka.status").isEqualTo("DOWN")
                .jsonPath("$.components.redis.status").isEqualTo("UP")
                .jsonPath("$.components.redisStore.status").isEqualTo("UP");
        client.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
        client.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
        new WalletApi(client).credit("probes", 100);

        REDIS.pause();
        try {
            client.get().uri("/actuator/health/readiness").exchange().expectStatus().isEqualTo(503);
            client.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
        }
        finally {
            REDIS.resume();
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                client.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk());
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
        client.post().uri("/api/v1/wallets/outage/withdrawals").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"amount\": 1000000}").exchange().expectStatus().isEqualTo(422);

        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        LoggedEvents logged = LoggedEvents.of(Problems.class);
        REDIS.pause();
        try {
            expectUnavailable(client.post().uri("/api/v1/wallets/outage/credits")
                    .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
                    .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"amount\": 500}").exchange());
            // The line logged about the request carries its trace id (Spring Boot prints it in every format).
            assertThat(logged.events()).anySatisfy(event -> {
                assertThat(event.getFormattedMessage()).startsWith("Redis unavailable on POST /api/v1/wallets/outage/credits");
                assertThat(event.getMDCPropertyMap()).containsEntry("traceId", traceId).containsKey("spanId");
            });
            expectUnavailable(client.post().uri("/api/v1/wallets/outage/withdrawals")
                    .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"amount\": 500}").exchange());
            expectUnavailable(client.post().uri("/api/v1/wallets/outage/withdrawals/" + withdrawalId + "/approve").exchange());
            expectUnavailable(client.get().uri("/api/v1/wallets/outage").exchange());
            expectUnavailable(client.post().uri("/api/v1/credits:batch").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("{\"items\": [{\"userId\": \"outage\", \"amount\": 5, \"idempotencyKey\": \"b-1\"}]}").exchange());
            client.get().uri("/actuator/health").exchange().expectStatus().isEqualTo(503);
        }
        finally {
            logged.close();
            REDIS.resume();
        }
        // A refusal is a response; a store that cannot answer is the service failing, and the request's
        // metrics (and trace) say which.
        assertThat(meters.find("http.server.requests").tag("status", "422").timers())
                .isNotEmpty().allSatisfy(timer -> assertThat(timer.getId().getTag("exception")).isEqualTo("none"));
        assertThat(meters.find("http.server.requests").tag("status", "503").timers().stream()
                        .filter(timer -> String.valueOf(timer.getId().getTag("uri")).startsWith("/api/v1")))
                .isNotEmpty().allSatisfy(timer -> assertThat(timer.getId().getTag("exception")).isNotEqualTo("none"));

        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                client.get().uri("/api/v1/wallets/outage").exchange().expectStatus().isOk());
        var wallet = api.wallet("outage");
        assertThat(wallet.get("version").longValue()).isEqualTo(2);
        assertThat(wallet.get("balance").longValue()).isEqualTo(9_000);
        assertThat(wallet.get("pending").longValue()).isEqualTo(1_000);
        assertThat(api.approve("outage", withdrawalId).get("wallet").get("totalWithdrawn").longValue()).isEqualTo(1_000);
    }

    @Test
    void whileRedisLoadsItsDataEveryRequestIs503AndTheInstanceIsNotReady() throws Exception {
        WalletApi api = new WalletApi(client);
        api.credit("loading", 700);
        // Enough keys, rewritten into the file's snapshot part, that reading them back takes seconds (6,000 x
        // 1 ms), each large enough (8 KiB) that Redis answers clients every quarter second while it loads.
        assertThat(RedisWire.call(REDIS.port(), "EVAL",
                "for i = 1, 6000 do redis.call('SET', 'filler:' .. i, string.rep('x', 8192)) end return 'filled'", "0"))
                .isEqualTo("filled");
        RedisWire.call(REDIS.port(), "BGREWRITEAOF");
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                "0".equals(RedisWire.info(REDIS.port(), "persistence", "aof_rewrite_in_progress"))
                        && "0".equals(RedisWire.info(REDIS.port(), "persistence", "aof_rewrite_scheduled")));

        REDIS.pause();
        // The embedded server's start returns once Redis is ready, after the load.
        CompletableFuture<Void> resumed = CompletableFuture.runAsync(() -> {
            try {
                REDIS.resume();
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> isLoading());

        int seenLoading = 0;
        long applied = 0;
        while (isLoading()) {
            var credit = client.post().uri("/api/v1/wallets/loading/credits").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("{\"amount\": 5}").exchange();
            // The load may end while a request is on its way: only those sent and answered within it count.
            if (credit.returnResult(String.class).getStatus().value() == 200) {
                applied += 5;
            }
            var read = client.get().uri("/api/v1/wallets/loading").exchange();
            var ready = client.get().uri("/actuator/health/readiness").exchange();
            if (isLoading()) {
                expectUnavailable(credit);
                expectUnavailable(read);
                ready.expectStatus().isEqualTo(503);
                seenLoading++;
            }
        }
        assertThat(seenLoading).as("requests answered while Redis was loading").isPositive();
        resumed.get(30, TimeUnit.SECONDS);

        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                client.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk());
        assertThat(api.wallet("loading").get("balance").longValue()).as("no credit applied while loading")
                .isEqualTo(700 + applied);
    }

    @Test
    void afterAnOutageLongerThanTheReconnectBackOffTheServiceAnswersWithinSecondsOfRedis() throws Exception {
        WalletApi api = new WalletApi(client);
        api.credit("long-outage", 300);
        REDIS.pause();
        try {
            // Uncapped, Lettuce's delay between attempts would have doubled to 8 s and more by now.
            Thread.sleep(12_000);
            expectUnavailable(client.get().uri("/api/v1/wallets/long-outage").exchange());
        }
        finally {
            REDIS.resume();
        }
        long back = System.nanoTime();
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                client.get().uri("/api/v1/wallets/long-outage").exchange().expectStatus().isOk());
        // wallet.redis.max-reconnect-delay is 1 s: the next attempt after Redis is back is at most that far off.
        assertThat(Duration.ofNanos(System.nanoTime() - back)).isLessThan(Duration.ofSeconds(5));
        assertThat(api.wallet("long-outage").get("balance").longValue()).isEqualTo(300);
    }

    /** Asked briefly: a connection the stopping server accepted but will never answer must not hold up the test. */
    private static boolean isLoading() {
        try {
            return RedisWire.command(REDIS.port(), Duration.ofSeconds(1), "INFO", "persistence").lines()
                    .anyMatch(line -> line.strip().equals("loading:1"));
        }
        catch (RuntimeException notAnswering) {
            return false;
        }
    }

    private static void expectUnavailable(WebTestClient.ResponseSpec response) {
        response.expectStatus().isEqualTo(503)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.code").isEqualTo("service-unavailable")
                .jsonPath("$.detail").value(String.class, detail -> assertThat(detail).doesNotContain("Exception"));
    }
}
