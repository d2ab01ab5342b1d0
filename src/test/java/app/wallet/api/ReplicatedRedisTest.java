package app.wallet.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

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
import app.wallet.support.LocalKafka;
import app.wallet.support.LocalRedis;
import app.wallet.support.RedisBinary;
import app.wallet.support.RedisWire;
import app.wallet.support.WalletApi;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A lone master with one replica (not a cluster): the service finds the replica at start and answers a
 * change only once the replica has it. The replica frozen, a change and its replay are 503; thawed, the
 * replay answers and the change counts once.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
@DirtiesContext
class ReplicatedRedisTest {

    private static final int MASTER = LocalRedis.freePort();
    private static final int REPLICA = LocalRedis.freePort();
    private static final List<Process> SERVERS = new ArrayList<>();

    static {
        // Also when the class fails to initialize, and @AfterAll never runs.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> SERVERS.forEach(Process::destroyForcibly), "redis-replicated-shutdown"));
        SERVERS.add(redisServer(MASTER));
        SERVERS.add(redisServer(REPLICA, "--replicaof", "127.0.0.1", Integer.toString(MASTER)));
        poll(Duration.ofSeconds(30), () -> "up".equals(RedisWire.info(REPLICA, "replication", "master_link_status")));
    }

    private WebTestClient client;

    @Autowired
    void client(WebTestClient unauthenticated) {
        client = unauthenticated.mutate().filter(ApiContract.checked()).filter(Authorized.asOwnerWithEveryScope()).build();
    }

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry registry) {
        Authorized.trustLocalTokens(registry);
        registry.add("spring.data.redis.port", () -> MASTER);
        registry.add("spring.kafka.bootstrap-servers", () -> LocalKafka.shared().bootstrapServers());
    }

    @AfterAll
    static void stop() {
        SERVERS.forEach(Process::destroyForcibly);
    }

    @Test
    void aChangeIsAnsweredOnlyOnceTheReplicaHasIt() throws Exception {
        new WalletApi(client).credit("replicated", 1_000);
        Process replica = SERVERS.get(1);
        signal(replica, "-STOP");
        try {
            credit("replicated-key").expectStatus().isEqualTo(503).expectBody()
                    .jsonPath("$.code").isEqualTo("service-unavailable");
            // The master has it; its replay is not answered either while the replica does not.
            credit("replicated-key").expectStatus().isEqualTo(503);
        }
        finally {
            signal(replica, "-CONT");
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                credit("replicated-key").expectStatus().isOk().expectHeader().valueEquals("Idempotent-Replayed", "true"));
        assertThat(new WalletApi(client).wallet("replicated").get("balance").longValue()).isEqualTo(1_250);
    }

    private WebTestClient.ResponseSpec credit(String key) {
        return client.post().uri("/api/v1/wallets/replicated/credits").contentType(MediaType.APPLICATION_JSON)
                .header("Idempotency-Key", key).bodyValue("{\"amount\": 250}").exchange();
    }

    /** A redis-server process ({@link RedisBinary}: the PATH's 7+, else the embedded-redis artifact's). */
    private static Process redisServer(int port, String... more) {
        try {
            Path dir = Files.createTempDirectory("redis-" + port);
            List<String> command = new ArrayList<>(List.of(RedisBinary.get().path(), "--port", Integer.toString(port),
                    "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString()));
            command.addAll(List.of(more));
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile()).start();
            poll(Duration.ofSeconds(10), () -> "+PONG".equals(RedisWire.call(port, "PING")));
            return process;
        }
        catch (IOException e) {
            throw new UncheckedIOException("Could not start " + RedisBinary.get(), e);
        }
    }

    /**
     * Polls on the calling thread: these run in the class's static initializer, where a lambda handed to
     * another thread (Awaitility's) would wait for the initialization that waits for it.
     */
    private static void poll(Duration max, BooleanSupplier condition) {
        long deadline = System.nanoTime() + max.toNanos();
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            }
            catch (UncheckedIOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Redis did not come up within " + max);
            }
            try {
                Thread.sleep(100);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static void signal(Process process, String signal) throws IOException, InterruptedException {
        new ProcessBuilder("kill", signal, Long.toString(process.pid())).start().waitFor();
    }
}
