package app.wallet.store;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

import app.wallet.WalletApplication;
import app.wallet.support.LocalRedis;
import app.wallet.support.LocalTokens;
import app.wallet.support.RedisWire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The service on real Redis servers started with each eviction policy: one that may delete money is
 * refused at start-up and in readiness; one without an append-only file is served, with a warning and
 * {@code wallet_redis_durable} 0.
 */
@ExtendWith(OutputCaptureExtension.class)
class RedisStoreHealthTest {

    private static final List<String> EVICTING = List.of("allkeys-lru", "allkeys-lfu", "allkeys-random",
            "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl");

    @Test
    void anEvictingRedisIsRefusedAtStartUpNamingTheSetting() {
        for (String policy : List.of("allkeys-lru", "volatile-ttl")) {
            try (LocalRedis redis = LocalRedis.startProcess("maxmemory-policy " + policy)) {
                assertThatThrownBy(() -> start(redis, Map.of()).close())
                        .as(policy)
                        .rootCause()
                        .hasMessageContaining("maxmemory-policy " + policy)
                        .hasMessageContaining("noeviction")
                        .hasMessageContaining("wallet.redis.allow-eviction");
            }
        }
    }

    @Test
    void theOptOutServesAnEvictingRedisAndSaysSoLoudly(CapturedOutput output) {
        try (LocalRedis redis = LocalRedis.startProcess("maxmemory-policy allkeys-lru");
                ConfigurableApplicationContext instance = start(redis, Map.of("wallet.redis.allow-eviction", "true"))) {
            // The application's own log lines (Spring Boot sets its logging up anew at each start).
            assertThat(output.getOut().lines().filter(line -> line.contains(" ERROR ") && line.contains("RedisStoreHealth")))
                    .anySatisfy(line -> assertThat(line).contains("maxmemory-policy allkeys-lru", "allow-eviction=true"));
            client(instance).get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
        }
    }

    @Test
    void readinessGoesDownForEveryEvictingPolicyAndReportsDurability(CapturedOutput output) {
        try (LocalRedis redis = LocalRedis.startProcess("appendonly no");
                ConfigurableApplicationContext instance = start(redis, Map.of())) {
            WebTestClient client = client(instance);
            assertThat(output.getOut().lines().filter(line -> line.contains(" WARN ") && line.contains("RedisStoreHealth")))
                    .anySatisfy(line -> assertThat(line).contains("appendonly no"));
            assertThat(durable(client)).isEqualTo("0.0");
            client.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();

            for (String policy : EVICTING) {
                RedisWire.command(redis.port(), Duration.ofSeconds(5), "CONFIG", "SET", "maxmemory-policy", policy);
                assertThat(client.get().uri("/actuator/health/readiness").exchange().returnResult(String.class)
                        .getStatus().value()).as(policy).isEqualTo(503);
            }
            RedisWire.command(redis.port(), Duration.ofSeconds(5), "CONFIG", "SET", "maxmemory-policy", "noeviction");
            client.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();

            // Each readiness check reads the file setting again.
            RedisWire.command(redis.port(), Duration.ofSeconds(5), "CONFIG", "SET", "appendonly", "yes");
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                client.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
                assertThat(durable(client)).isEqualTo("1.0");
            });
        }
    }

    private static String durable(WebTestClient client) {
        String metrics = client.get().uri("/actuator/prometheus")
                .headers(headers -> headers.setBearerAuth(LocalTokens.shared().token("ops", "metrics:read", Duration.ofMinutes(5))))
                .exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        return metrics.lines().filter(line -> line.startsWith("wallet_redis_durable ") || line.startsWith("wallet_redis_durable{"))
                .map(line -> line.substring(line.lastIndexOf(' ') + 1).strip()).findFirst()
                .orElse("absent from " + metrics.lines().filter(line -> line.contains("redis")).toList());
    }

    private static WebTestClient client(ConfigurableApplicationContext instance) {
        return WebTestClient.bindToServer()
                .baseUrl("http://127.0.0.1:" + instance.getEnvironment().getProperty("local.server.port"))
                .responseTimeout(Duration.ofSeconds(15))
                .build();
    }

    private static ConfigurableApplicationContext start(LocalRedis redis, Map<String, String> more) {
        Map<String, Object> properties = new HashMap<>(LocalTokens.shared().properties());
        properties.put("server.port", "0");
        properties.put("spring.data.redis.host", redis.host());
        properties.put("spring.data.redis.port", redis.port());
        // No broker: nothing here reaches Kafka.
        properties.put("spring.kafka.bootstrap-servers", "127.0.0.1:" + LocalRedis.freePort());
        properties.put("wallet.audit.enabled", "false");
        properties.putAll(more);
        // As arguments: SpringApplicationBuilder.properties() are defaults, below application.yaml.
        return new SpringApplicationBuilder(WalletApplication.class)
                .run(properties.entrySet().stream().map(p -> "--" + p.getKey() + "=" + p.getValue()).toArray(String[]::new));
    }
}
