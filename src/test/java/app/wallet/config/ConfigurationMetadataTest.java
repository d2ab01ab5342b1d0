package app.wallet.config;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** The jar tells IDEs every wallet.* property with its description (spring-boot-configuration-processor). */
class ConfigurationMetadataTest {

    @Test
    void everyWalletPropertyIsDescribed() throws IOException {
        JsonNode metadata;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("configuration metadata on the classpath").isNotNull();
            metadata = new JsonMapper().readTree(in);
        }
        List<String> names = new ArrayList<>();
        List<String> undescribed = new ArrayList<>();
        for (JsonNode property : metadata.get("properties")) {
            String name = property.get("name").stringValue();
            names.add(name);
            if (!property.has("description") || property.get("description").stringValue().isBlank()) {
                undescribed.add(name);
            }
        }

        assertThat(names).contains("wallet.max-amount", "wallet.partitions", "wallet.outbox.lease-ttl",
                "wallet.redis.min-replica-acks", "wallet.stream.heartbeat", "wallet.http.max-connections");
        assertThat(undescribed).isEmpty();
    }
}
