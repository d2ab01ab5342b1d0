package app.wallet.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One Redis command over a plain socket, its reply as text: for tests that must ask Redis something while
 * it refuses the handshake a client library starts with (loading, frozen), or without a client at all.
 */
public final class RedisWire {

    private RedisWire() {
    }

    /** The reply: a simple string, an error ("-ERR ..."), an integer or a bulk string; arrays are not read. */
    public static String call(int port, String... args) {
        return call(port, Duration.ofSeconds(10), args);
    }

    /**
     * The reply's value, as redis-cli would print it: a simple string without its {@code +}, an integer
     * without its {@code :}, a bulk string's text ("" for nil); an error reply is thrown. A node that
     * accepts the connection but does not answer within {@code timeout} (a frozen one) fails the call.
     */
    public static String command(int port, Duration timeout, String... args) {
        String reply = call(port, timeout, args);
        if (reply.startsWith("-")) {
            throw new IllegalStateException(String.join(" ", args) + " on port " + port + ": " + reply.substring(1));
        }
        return reply.startsWith("+") || reply.startsWith(":") ? reply.substring(1) : reply;
    }

    private static String call(int port, Duration timeout, String... args) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
            for (String arg : args) {
                request.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg).append("\r\n");
            }
            socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String line = line(in);
            if (line.startsWith("$")) {
                int length = Integer.parseInt(line.substring(1));
                return length < 0 ? "" : new String(in.readNBytes(length), StandardCharsets.UTF_8);
            }
            return line;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every key of a lone Redis (KEYS: for small test data only). */
    public static List<String> keys(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("*2\r\n$4\r\nKEYS\r\n$1\r\n*\r\n".getBytes(StandardCharsets.UTF_8));
            InputStream in = new BufferedInputStream(socket.getInputStream());
            int count = Integer.parseInt(line(in).substring(1));
            List<String> keys = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int length = Integer.parseInt(line(in).substring(1));
                keys.add(new String(in.readNBytes(length), StandardCharsets.UTF_8));
                line(in);
            }
            return keys;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A field of INFO, e.g. {@code info(port, "persistence", "loading")}; "" when Redis does not answer it. */
    public static String info(int port, String section, String field) {
        return call(port, "INFO", section).lines()
                .filter(line -> line.startsWith(field + ":"))
                .map(line -> line.substring(field.length() + 1).trim())
                .findFirst().orElse("");
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("Redis closed the connection mid-reply");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }
}
