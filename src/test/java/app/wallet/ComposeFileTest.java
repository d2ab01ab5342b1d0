package app.wallet;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.yaml.snakeyaml.Yaml;

import app.wallet.config.WalletProperties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * compose.yaml cannot run without Docker; this checks its structure, and that every variable it gives the
 * service is one the service reads and binds.
 */
class ComposeFileTest {

    /** Spring properties the service reads besides {@code wallet.*}. */
    private static final List<String> SPRING_PROPERTIES = List.of("spring.data.redis.host", "spring.data.redis.port",
            "spring.data.redis.password", "spring.data.redis.username", "spring.data.redis.database",
            "spring.data.redis.timeout", "spring.kafka.bootstrap-servers", "server.port",
            "spring.security.oauth2.resourceserver.jwt.issuer-uri", "spring.security.oauth2.resourceserver.jwt.jwk-set-uri",
            "spring.security.oauth2.resourceserver.jwt.audiences", "logging.structured.format.console");

    private static Map<String, Map<String, Object>> services;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void read() throws IOException {
        try (Reader reader = Files.newBufferedReader(Path.of("compose.yaml"))) {
            services = (Map<String, Map<String, Object>>) new Yaml().<Map<String, Object>>load(reader).get("services");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void redisIsSevenOrLaterWithAnAppendOnlyFileSyncedEverySecond() {
        Map<String, Object> redis = services.get("redis");
        String tag = redis.get("image").toString().replaceAll(".*:", "");
        assertThat(Integer.parseInt(tag.replaceAll("\\..*", ""))).isGreaterThanOrEqualTo(7);
        assertThat(String.join(" ", (List<String>) redis.get("command")))
                .contains("--appendonly yes").contains("--appendfsync everysec");
    }

    @Test
    void kafkaIsOneKraftNodeWithoutZooKeeper() {
        Map<String, String> env = environment("kafka");
        assertThat(env.get("KAFKA_PROCESS_ROLES")).contains("broker").contains("controller");
        assertThat(env).doesNotContainKey("KAFKA_ZOOKEEPER_CONNECT");
    }

    @Test
    void theServiceIsBuiltFromThisRepositoryAndWiredToBoth() {
        Map<String, Object> wallet = services.get("wallet");
        assertThat(wallet).containsKey("build");
        assertThat(environment("wallet")).containsEntry("SPRING_DATA_REDIS_HOST", "redis")
                .containsEntry("SPRING_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092");
    }

    @Test
    void everyVariableGivenToTheServiceIsOneItReadsAndBinds() {
        Map<String, String> env = environment("wallet");
        Set<String> known = new HashSet<>(SPRING_PROPERTIES);
        addWalletProperties("wallet", WalletProperties.class, known);
        // Each variable alone must bind some property the service reads, by Spring's own rules.
        env.forEach((name, value) -> {
            Binder alone = Binder.get(environment(Map.of(name, value)));
            assertThat(known).as("a property read from %s", name)
                    .anyMatch(property -> alone.bind(property, String.class).isBound());
        });

        StandardEnvironment environment = environment(env);
        Binder binder = Binder.get(environment);
        WalletProperties properties = binder.bind("wallet", WalletProperties.class).get();
        assertThat(properties.kafka().topic()).isEqualTo(env.get("WALLET_KAFKA_TOPIC"));
        assertThat(properties.partitions()).isEqualTo(Integer.parseInt(env.get("WALLET_PARTITIONS")));
        assertThat(binder.bind("spring.data.redis.host", String.class).get()).isEqualTo("redis");
    }

    private static StandardEnvironment environment(Map<String, String> variables) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        environment.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        environment.getPropertySources().addFirst(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.copyOf(variables)));
        ConfigurationPropertySources.attach(environment);
        return environment;
    }

    private static void addWalletProperties(String prefix, Class<?> type, Set<String> known) {
        for (RecordComponent component : type.getRecordComponents()) {
            String name = prefix + "." + component.getName().replaceAll("([A-Z])", "-$1").toLowerCase();
            if (component.getType().isRecord()) {
                addWalletProperties(name, component.getType(), known);
            }
            else {
                known.add(name);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> environment(String service) {
        return (Map<String, String>) services.get(service).get("environment");
    }
}
