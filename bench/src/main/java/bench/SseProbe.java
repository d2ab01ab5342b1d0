package bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import reactor.core.Disposable;
import reactor.core.Disposables;
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
 * apart. For each change and each stream of its wallet, the delay is the event's arrival minus the
 * moment the credit's response arrived (0 when the event came first). Prints the percentiles, then the
 * service's heap after a full GC (jcmd, jstat) with the streams still open.
 */
public final class SseProbe {

    private static final Pattern VERSION = Pattern.compile("\"version\":(\\d+)");
    /** Why streams failed, and how many for each reason. */
    private static final Map<String, Integer> REASONS = new ConcurrentHashMap<>();

    public static void main(String[] args) throws Exception {
        String base = args[0];
        List<String[]> users = Files.readAllLines(Path.of(args[1])).stream().map(line -> line.split(" ")).toList();
        String credit = args[2];
        int streams = Integer.parseInt(args[3]);
        int wallets = Integer.parseInt(args[4]);
        int changes = Integer.parseInt(args[5]);
        long interval = Long.parseLong(args[6]);
        String servicePid = args[7];

        HttpClient posts = HttpClient.create().baseUrl(base);
        for (int w = 0; w < wallets; w++) {
            creditOnce(posts, users.get(w)[0], credit);   // the wallet exists before its streams open
        }

        CountDownLatch opened = new CountDownLatch(streams);
        AtomicInteger failed = new AtomicInteger();
        List<Map<Long, Long>> arrivals = new ArrayList<>(streams);
        HttpClient watchers = HttpClient.newConnection().baseUrl(base).headers(h -> h.set("Accept", "text/event-stream"));
        Disposable.Composite open = Disposables.composite();
        long openStart = System.nanoTime();
        for (int i = 0; i < streams; i++) {
            String[] user = users.get(i % wallets);
            Map<Long, Long> arrived = new ConcurrentHashMap<>();
            arrivals.add(arrived);
            Events events = new Events(arrived, opened, failed);
            // A stream that ends (a 401 or 404 ends at once) or fails is a failed stream, counted by why: an
            // answer other than 200 is the service's refusal, a connection that never came up or broke is
            // told by its exception (a connect timeout: the connection waited in no accept queue).
            open.add(watchers.headers(h -> h.set("Authorization", "Bearer " + user[1]))
                    .get().uri("/api/v1/wallets/" + user[0] + "/stream")
                    .response((response, body) -> {
                        if (response.status().code() != 200) {
                            events.reason("HTTP " + response.status().code());
                        }
                        return body.asString(StandardCharsets.UTF_8);
                    })
                    .subscribe(events::feed, error -> events.ended(error.getClass().getSimpleName()),
                            () -> events.ended("ended by the service")));
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
                Long arrival = arrivals.get(s).get(versions[c]);
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
        System.out.printf("sse: service heap after full GC with the streams open: %d MiB%n", heapAfterGc(servicePid) / 1024);
        open.dispose();
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

    /** One stream's events, cut out of the chunks the client receives in whatever pieces they come. */
    private static final class Events {
        private final Map<Long, Long> arrivals;
        private final CountDownLatch opened;
        private final AtomicInteger failed;
        private final StringBuilder pending = new StringBuilder();
        private boolean counted;

        Events(Map<Long, Long> arrivals, CountDownLatch opened, AtomicInteger failed) {
            this.arrivals = arrivals;
            this.opened = opened;
            this.failed = failed;
        }

        private String reason;

        synchronized void reason(String why) {
            reason = why;
        }

        synchronized void ended(String why) {
            failed.incrementAndGet();
            REASONS.merge(reason != null ? reason : why, 1, Integer::sum);
            countOnce();
        }

        private void countOnce() {
            if (!counted) {
                counted = true;
                opened.countDown();
            }
        }

        synchronized void feed(String chunk) {
            long now = System.nanoTime();
            pending.append(chunk);
            int end;
            while ((end = pending.indexOf("\n\n")) >= 0) {
                String event = pending.substring(0, end);
                pending.delete(0, end + 2);
                int id = event.indexOf("id:");
                if (id < 0) {
                    continue;   // a keep-alive comment
                }
                int eol = event.indexOf('\n', id);
                arrivals.put(Long.parseLong(event.substring(id + 3, eol < 0 ? event.length() : eol).trim()), now);
                countOnce();
            }
        }
    }
}
