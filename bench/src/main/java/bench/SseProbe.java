package bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * How long a change takes from its response to the balance streams watching its wallet, and what the
 * open streams cost the service's heap:
 * {@code SseProbe <baseUrl> <usersTokens> <creditToken> <streams> <wallets> <changes> <intervalMs> <servicePid>}.
 *
 * <p>Opens {@code streams} streams spread over the first {@code wallets} users of {@code usersTokens}
 * (each as its owner; with one wallet every change fans out to all of them, the worst case), waits until
 * each has its first event, then credits the wallets in turn {@code changes} times, {@code intervalMs}
 * apart, after as many warm-up changes, not measured, as the routes' rows have a warm-up. For each
 * measured change and each stream of its wallet, the delay is the event's arrival minus the moment the
 * credit's response arrived (0 when the event came first). Prints the percentiles, then the service's heap
 * after a full GC (jcmd, jstat) with the streams still open.
 *
 * <p>The streams are read by two threads on plain non-blocking sockets, each event found by its
 * {@code id: } line as the bytes come in: the probe shares the cores with the service, and the less CPU
 * it takes per event, the less it delays the events it measures.
 */
public final class SseProbe {

    private static final Pattern VERSION = Pattern.compile("\"version\":(\\d+)");
    private static final int WARM_UP_CHANGES = 10;
    private static final int READERS = 2;
    /** Why streams failed, and how many for each reason. */
    private static final Map<String, Integer> REASONS = new ConcurrentHashMap<>();

    public static void main(String[] args) throws Exception {
        URI base = URI.create(args[0]);
        List<String[]> users = Files.readAllLines(Path.of(args[1])).stream().map(line -> line.split(" ")).toList();
        String credit = args[2];
        int streams = Integer.parseInt(args[3]);
        int wallets = Integer.parseInt(args[4]);
        int changes = Integer.parseInt(args[5]);
        long interval = Long.parseLong(args[6]);
        String servicePid = args[7];

        HttpClient posts = HttpClient.create().baseUrl(args[0]);
        for (int w = 0; w < wallets; w++) {
            creditOnce(posts, users.get(w)[0], credit);   // the wallet exists before its streams open
        }

        CountDownLatch opened = new CountDownLatch(streams);
        AtomicInteger failed = new AtomicInteger();
        Reader[] readers = new Reader[READERS];
        for (int r = 0; r < READERS; r++) {
            readers[r] = new Reader(opened, failed);
            Thread thread = new Thread(readers[r], "sse-reader-" + r);
            thread.setDaemon(true);
            thread.start();
        }
        InetSocketAddress address = new InetSocketAddress(base.getHost(), base.getPort());
        Stream[] all = new Stream[streams];
        long openStart = System.nanoTime();
        for (int i = 0; i < streams; i++) {
            String[] user = users.get(i % wallets);
            String request = "GET /api/v1/wallets/" + user[0] + "/stream HTTP/1.1\r\nHost: " + base.getHost() + ':'
                    + base.getPort() + "\r\nAccept: text/event-stream\r\nAuthorization: Bearer " + user[1] + "\r\n\r\n";
            all[i] = new Stream(address, request.getBytes(StandardCharsets.US_ASCII));
            readers[i % READERS].open(all[i]);
            if (i % 200 == 199) {
                Thread.sleep(20);   // a ramp, not a connect storm the backlog drops
            }
        }
        if (!opened.await(180, TimeUnit.SECONDS)) {
            System.out.printf("sse: only %d of %d streams opened%n", streams - opened.getCount(), streams);
            System.exit(1);
        }
        System.out.printf("sse: %d streams on %s open in %.1f s (%d failed%s)%n", streams, walletCount(wallets),
                (System.nanoTime() - openStart) / 1e9, failed.get(), REASONS.isEmpty() ? "" : ": " + REASONS);

        for (int c = 0; c < WARM_UP_CHANGES; c++) {
            creditOnce(posts, users.get(c % wallets)[0], credit);
            Thread.sleep(interval);
        }
        long[] versions = new long[changes];
        long[] responded = new long[changes];
        for (int c = 0; c < changes; c++) {
            versions[c] = creditOnce(posts, users.get(c % wallets)[0], credit);
            responded[c] = System.nanoTime();
            Thread.sleep(interval);
        }
        Thread.sleep(2_000);

        long[] delays = new long[changes * ((streams + wallets - 1) / wallets)];
        int expected = 0;
        int delivered = 0;
        for (int c = 0; c < changes; c++) {
            for (int s = c % wallets; s < streams; s += wallets) {
                expected++;
                Long arrival = all[s].arrivals.get(versions[c]);
                if (arrival != null) {
                    delays[delivered++] = Math.max(0, arrival - responded[c]);
                }
            }
        }
        long[] sorted = Arrays.copyOf(delays, delivered);
        Arrays.sort(sorted);
        System.out.printf("sse: %d streams on %s, %d changes: delivered %d of %d, response to event p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                streams, walletCount(wallets), changes, delivered, expected,
                percentile(sorted, 0.50), percentile(sorted, 0.99), percentile(sorted, 1.0));
        System.out.printf("sse: heap after full GC with the streams open: %d MiB%n", heapAfterGc(servicePid) / 1024);
        for (Reader reader : readers) {
            reader.closeAll();
        }
        if (failed.get() > 0 || delivered < expected) {
            System.out.printf("sse: %d streams failed, %d events missing%n", failed.get(), expected - delivered);
            System.exit(1);
        }
    }

    private static String walletCount(int wallets) {
        return wallets == 1 ? "one wallet" : String.format("%,d wallets", wallets);
    }

    private static long creditOnce(HttpClient posts, String user, String token) {
        String body = posts.headers(h -> h.set("Authorization", "Bearer " + token).set("Content-Type", "application/json"))
                .post().uri("/api/v1/wallets/" + user + "/credits")
                .send(Mono.just(io.netty.buffer.Unpooled.copiedBuffer("{\"amount\": 1}", StandardCharsets.US_ASCII)))
                .responseSingle((response, content) -> content.asString())
                .block(Duration.ofSeconds(10));
        Matcher version = VERSION.matcher(body == null ? "" : body);
        if (!version.find()) {
            throw new IllegalStateException("credit answered " + body);
        }
        return Long.parseLong(version.group(1));
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }

    /** Used heap in KiB after a full GC of the service (G1's or any collector's jstat columns). */
    private static long heapAfterGc(String pid) throws Exception {
        new ProcessBuilder("jcmd", pid, "GC.run").redirectErrorStream(true).start().waitFor();
        Process jstat = new ProcessBuilder("jstat", "-gc", pid).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(jstat.getInputStream(), StandardCharsets.US_ASCII))) {
            String[] names = out.readLine().trim().split("\\s+");
            String[] values = out.readLine().trim().split("\\s+");
            double used = 0;
            for (int i = 0; i < names.length; i++) {
                if (names[i].equals("S0U") || names[i].equals("S1U") || names[i].equals("EU") || names[i].equals("OU")) {
                    used += Double.parseDouble(values[i]);
                }
            }
            return (long) used;
        }
    }

    /**
     * One thread's share of the streams: connects them, sends each its request, and reads what comes back.
     * A stream that ends (a 401 or 404 ends at once) or fails is a failed stream, counted by why: an answer
     * other than 200 is the service's refusal, a connection that never came up or broke is told by its
     * exception and message ("Connection timed out": the connection waited in no accept queue).
     */
    private static final class Reader implements Runnable {
        private final Selector selector;
        private final Queue<Stream> toOpen = new ConcurrentLinkedQueue<>();
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        private final CountDownLatch opened;
        private final AtomicInteger failed;
        private volatile boolean closing;

        Reader(CountDownLatch opened, AtomicInteger failed) throws IOException {
            this.selector = Selector.open();
            this.opened = opened;
            this.failed = failed;
        }

        void open(Stream stream) {
            toOpen.add(stream);
            selector.wakeup();
        }

        void closeAll() {
            closing = true;
            selector.wakeup();
        }

        @Override
        public void run() {
            try {
                while (!closing) {
                    selector.select();
                    for (Stream stream; (stream = toOpen.poll()) != null; ) {
                        try {
                            SocketChannel channel = SocketChannel.open();
                            channel.configureBlocking(false);
                            stream.channel = channel;
                            if (channel.connect(stream.address)) {
                                connected(channel.register(selector, SelectionKey.OP_READ, stream), stream);
                            }
                            else {
                                channel.register(selector, SelectionKey.OP_CONNECT, stream);
                            }
                        }
                        catch (IOException e) {
                            fail(stream, reason(e));
                        }
                    }
                    var keys = selector.selectedKeys();
                    for (SelectionKey key : keys) {
                        Stream stream = (Stream) key.attachment();
                        try {
                            if (key.isConnectable()) {
                                if (((SocketChannel) key.channel()).finishConnect()) {
                                    key.interestOps(SelectionKey.OP_READ);
                                    connected(key, stream);
                                }
                            }
                            else if (key.isReadable()) {
                                read(key, stream);
                            }
                        }
                        catch (IOException | RuntimeException e) {
                            fail(stream, reason(e));
                        }
                    }
                    keys.clear();
                }
                for (SelectionKey key : selector.keys()) {
                    key.channel().close();
                }
                selector.close();
            }
            catch (IOException | RuntimeException e) {
                // Its streams would only time out, or their events go missing: say why at once.
                System.out.println("sse: a reader failed: " + e);
                System.exit(1);
            }
        }

        /** The exception's class and message: a refused connection and one that timed out are both a ConnectException. */
        private static String reason(Exception e) {
            return e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
        }

        /** A request this small fits any socket's send buffer: written whole at once. */
        private void connected(SelectionKey key, Stream stream) throws IOException {
            if (((SocketChannel) key.channel()).write(ByteBuffer.wrap(stream.request)) < stream.request.length) {
                fail(stream, "request not sent whole");
            }
        }

        private void read(SelectionKey key, Stream stream) throws IOException {
            buffer.clear();
            int read = ((SocketChannel) key.channel()).read(buffer);
            if (read < 0) {
                fail(stream, stream.status != 0 && stream.status != 200 ? "HTTP " + stream.status : "ended by the service");
                return;
            }
            long now = System.nanoTime();
            buffer.flip();
            if (stream.feed(buffer, now)) {
                countOnce(stream);
            }
            if (stream.status != 0 && stream.status != 200 && stream.body) {
                fail(stream, "HTTP " + stream.status);   // the refusal's body is not read: the stream did not open
            }
        }

        private void fail(Stream stream, String why) {
            try {
                if (stream.channel != null) {
                    stream.channel.close();
                }
            }
            catch (IOException ignored) {
                // closing a failed stream
            }
            if (!stream.failed) {
                stream.failed = true;
                failed.incrementAndGet();
                REASONS.merge(why, 1, Integer::sum);
                countOnce(stream);
            }
        }

        private void countOnce(Stream stream) {
            if (!stream.counted) {
                stream.counted = true;
                opened.countDown();
            }
        }
    }

    /**
     * One stream: its request, then its response as it comes, in whatever pieces. The status is read from
     * the first line; in the body every event's {@code id: <version>} line is its version (keep-alive
     * comments have none, nor has the chunked encoding's framing), matched byte by byte so that a line cut
     * between two reads is still found.
     */
    private static final class Stream {
        private static final byte[] HEADERS_END = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] ID = "\nid: ".getBytes(StandardCharsets.US_ASCII);

        final InetSocketAddress address;
        final byte[] request;
        final Map<Long, Long> arrivals = new ConcurrentHashMap<>();
        SocketChannel channel;
        boolean counted;
        boolean failed;
        int status;
        private final StringBuilder statusLine = new StringBuilder();
        private int headersMatched;
        boolean body;
        private int idMatched;
        private long version = -1;

        Stream(InetSocketAddress address, byte[] request) {
            this.address = address;
            this.request = request;
        }

        /** Whether an event arrived in these bytes. */
        boolean feed(ByteBuffer bytes, long now) {
            boolean event = false;
            while (bytes.hasRemaining()) {
                byte b = bytes.get();
                if (!body) {
                    if (status == 0) {
                        if (b == '\r') {
                            String[] parts = statusLine.toString().split(" ");
                            status = parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
                        }
                        else {
                            statusLine.append((char) b);
                        }
                    }
                    headersMatched = b == HEADERS_END[headersMatched] ? headersMatched + 1 : (b == '\r' ? 1 : 0);
                    body = headersMatched == HEADERS_END.length;
                }
                else if (version >= 0) {
                    if (b >= '0' && b <= '9') {
                        version = version * 10 + (b - '0');
                    }
                    else {
                        arrivals.put(version, now);
                        event = true;
                        version = -1;
                    }
                }
                else {
                    idMatched = b == ID[idMatched] ? idMatched + 1 : (b == '\n' ? 1 : 0);
                    if (idMatched == ID.length) {
                        idMatched = 0;
                        version = 0;
                    }
                }
            }
            return event && status == 200;
        }
    }
}
