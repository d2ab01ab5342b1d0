package app.wallet.event;

import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import app.wallet.support.EventSchema;

import static org.assertj.core.api.Assertions.assertThat;

/** The event schema says what the relay sends and refuses what it must not (checked against the events on Kafka in EventsTest). */
class EventSchemaTest {

    private static final JsonMapper JSON = new JsonMapper();
    private static final String VALID = """
            {"eventId": "019abc12-3456-7def-8123-456789abcdef", "type": "WITHDRAWAL_REQUESTED", "userId": "alice",
             "amount": 8000, "withdrawalId": "019abc12-3456-7def-9123-456789abcdef", "walletVersion": 2,
             "balance": 2000, "pending": 8000, "totalEarnings": 10000, "totalWithdrawn": 0,
             "occurredAt": "2026-11-25T06:00:01Z", "actor": "alice",
             "hash": "0123456789abcdef0123456789abcdef01234567", "alert": null}""";

    @Test
    void aWellFormedEventIsValid() {
        assertThat(EventSchema.violations(JSON.readTree(VALID))).isEmpty();
        assertThat(EventSchema.violations(changed(e -> e.putNull("withdrawalId").putNull("actor").putNull("hash")))).isEmpty();
        assertThat(EventSchema.violations(changed(e -> e.put("type", "BALANCE_ALERT").set("alert", JSON.readTree(
                "{\"id\": \"a-1\", \"name\": \"payout-ready\", \"field\": \"balance\", \"above\": 10000, \"state\": \"fired\"}")))))
                .isEmpty();
    }

    @Test
    void whatNoEventMayHoldIsRefused() {
        assertThat(EventSchema.violations(changed(e -> e.put("amount", 80.5)))).isNotEmpty();
        assertThat(EventSchema.violations(changed(e -> e.put("amount", "8000")))).isNotEmpty();
        assertThat(EventSchema.violations(changed(e -> e.put("balance", -1)))).isNotEmpty();
        assertThat(EventSchema.violations(changed(e -> e.put("type", "WALLET_DEBITED")))).isNotEmpty();
        assertThat(EventSchema.violations(changed(e -> e.put("userId", "a:b")))).isNotEmpty();
        assertThat(EventSchema.violations(changed(e -> e.put("hash", "not-a-hash")))).isNotEmpty();
        assertThat(EventSchema.violations(changed(e -> e.set("alert", JSON.readTree(
                "{\"id\": \"a-1\", \"name\": \"x\", \"field\": \"balance\", \"above\": 1, \"below\": 2, \"state\": \"fired\"}")))))
                .isNotEmpty();
        assertThat(EventSchema.violations(changed(e -> e.remove("walletVersion")))).isNotEmpty();
        assertThat(EventSchema.violations(changed(e -> e.put("extra", 1)))).isNotEmpty();
    }

    private static ObjectNode changed(Consumer<ObjectNode> change) {
        ObjectNode event = (ObjectNode) JSON.readTree(VALID);
        change.accept(event);
        return event;
    }
}
