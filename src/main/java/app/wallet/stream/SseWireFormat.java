package app.wallet.stream;

import java.nio.charset.StandardCharsets;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.codec.ServerSentEvent;
import tools.jackson.databind.json.JsonMapper;

import app.wallet.wallet.Wallet;

/**
 * Writes events in the contract's exact text, {@code event: balance}, {@code id: <version>},
 * {@code data: <wallet>}, {@code : keep-alive}, each field with a space after its colon (Spring's own
 * writer leaves the space out, which the SSE format allows but a line-exact client may not expect).
 */
final class SseWireFormat {

    private final JsonMapper json;

    SseWireFormat(JsonMapper json) {
        this.json = json;
    }

    DataBuffer encode(ServerSentEvent<Wallet> event) {
        StringBuilder text = new StringBuilder();
        if (event.comment() != null) {
            text.append(": ").append(event.comment()).append('\n');
        }
        if (event.event() != null) {
            text.append("event: ").append(event.event()).append('\n');
        }
        if (event.id() != null) {
            text.append("id: ").append(event.id()).append('\n');
        }
        if (event.data() != null) {
            text.append("data: ").append(json.writeValueAsString(event.data())).append('\n');
        }
        text.append('\n');
        return DefaultDataBufferFactory.sharedInstance.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
    }
}
