package app.wallet.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import tools.jackson.databind.JsonNode;

/** The published JSON Schema of a wallet event (contracts/wallet-event.schema.json in the jar), as a consumer would use it. */
public final class EventSchema {

    private static final Schema SCHEMA = load();

    private EventSchema() {
    }

    /** What is wrong with {@code event} by the schema; empty when it is a valid wallet event. */
    public static List<String> violations(JsonNode event) {
        return SCHEMA.validate(event).stream().map(Object::toString).toList();
    }

    private static Schema load() {
        try (InputStream in = EventSchema.class.getResourceAsStream("/contracts/wallet-event.schema.json")) {
            if (in == null) {
                throw new IllegalStateException("contracts/wallet-event.schema.json is not on the classpath");
            }
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
