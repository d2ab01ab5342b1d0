package app.wallet.stream;

import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.codec.ServerSentEvent;
import tools.jackson.databind.json.JsonMapper;

import app.wallet.wallet.Wallet;

/**
 * Writes events in the contract's exact text, {@code event: balance} (or {@code alert}), {@code id: <version>},
 * {@code data: <wallet>}, {@code : keep-alive}, each field with a space after its colon (Spring's own
 * writer leaves the space out, which the SSE format allows but a line-exact client may not expect).
 *
 * <p>A change reaches every stream of its wallet as the same {@link Wallet} instance, one stream after
 * the other on the thread that dispatches it: the last balance written is kept with its bytes, so a change
 * watched by 10,000 streams is serialized once, not 10,000 times.
 */
final class SseWireFormat {

    private final JsonMapper json;
    /** The last balance event written, by the identity of its wallet; a stale read only costs a miss. */
    private volatile Encoded last = new Encoded(null, new byte[0]);

    private record Encoded(@Nullable Wallet wallet, byte[] bytes) {
    }

    SseWireFormat(JsonMapper json) {
        this.json = json;
    }

    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);

    DataBuffer encode(ServerSentEvent<?> event) {
        if (event == BalanceStream.KEEP_ALIVE) {
            return DefaultDataBufferFactory.sharedInstance.wrap(KEEP_ALIVE);
        }
        if (!(event.data() instanceof Wallet wallet)) {
            return DefaultDataBufferFactory.sharedInstance.wrap(text(event));
        }
        Encoded previous = last;
        if (previous.wallet() == wallet) {
            return DefaultDataBufferFactory.sharedInstance.wrap(previous.bytes());
        }
        byte[] bytes = text(event);
        last = new Encoded(wallet, bytes);
        return DefaultDataBufferFactory.sharedInstance.wrap(bytes);
    }

    private byte[] text(ServerSentEvent<?> event) {
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
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }
}
