package app.wallet.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import app.wallet.support.Authorized;
import app.wallet.support.IntegrationTest;
import app.wallet.support.Invariants;
import app.wallet.support.LocalTokens;
import app.wallet.support.RawHttp;
import app.wallet.support.WalletApi;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ten thousand malformed requests across methods, paths, query strings, headers and bodies, sent raw over
 * kept-alive connections from a seeded generator. Every one must be answered, none with a 5xx, every
 * error as a problem with a code, and the fuzzed wallets must have moved by exactly the changes that
 * were answered 2xx.
 */
class EdgeFuzzTest extends IntegrationTest {

    private static final Logger log = LoggerFactory.getLogger(EdgeFuzzTest.class);
    private static final int REQUESTS = 10_000;
    private static final long SEED = 20261126L;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "FOO", "get"};

    private final Random random = new Random(SEED);
    private final List<String> users = new ArrayList<>();
    private final Map<String, List<String>> withdrawals = new HashMap<>();
    private final Map<String, String> tokens = new HashMap<>();
    private final Map<String, Integer> changes = new HashMap<>();
    private final Map<String, Integer> outcomes = new TreeMap<>();
    private final List<String> violations = new ArrayList<>();
    private int resent;

    @Test
    @Timeout(300)
    void tenThousandMalformedRequestsGetProblemsNeverA5xxAndChangeNothing() throws IOException {
        WalletApi api = new WalletApi(client);
        Map<String, Long> versions = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            String user = newUserId();
            users.add(user);
            api.credit(user, 1_000_000);
            List<String> ids = new ArrayList<>();
            for (int w = 0; w < 5; w++) {
                ids.add(api.withdraw(user, 10).get("id").stringValue());
            }
            withdrawals.put(user, ids);
            tokens.put(user, LocalTokens.shared().token(user, Authorized.ALL_SCOPES, Duration.ofHours(1)));
            versions.put(user, api.wallet(user).get("version").longValue());
        }

        RawHttp http = null;
        for (int n = 0; n < REQUESTS; n++) {
            Fuzzed request = next();
            if (http != null && request.unreadable()) {
                // Sent alone: the server answers it and closes the connection, and a client that has sent
                // more behind it on a kept-alive connection can see the reset before the answer.
                http.close();
                http = null;
            }
            if (http == null) {
                http = new RawHttp(port);
                http.timeout(3_000);
            }
            RawHttp.Response response = exchange(http, request);
            if (response == null) {
                // The server may close a kept-alive connection between two requests, as HTTP allows: a
                // client sends the request again on a new one. Had the first copy been applied, the
                // version check at the end would count one change too many.
                http.close();
                http = new RawHttp(port);
                resent++;
                response = exchange(http, request);
            }
            if (response == null) {
                violations.add("no answer to " + request.describe());
                http.close();
                http = null;
                continue;
            }
            check(request, response);
            String contentType = String.valueOf(response.header("Content-Type"));
            if ("close".equalsIgnoreCase(response.header("Connection")) || contentType.startsWith("text/event-stream")) {
                http.close();
                http = null;
            }
        }
        if (http != null) {
            http.close();
        }

        log.info("Fuzzed {} requests (seed {}), {} sent again on a new connection: {}", REQUESTS, SEED, resent, outcomes);
        assertThat(violations).as("requests answered wrongly").isEmpty();
        for (String user : users) {
            JsonNode wallet = api.wallet(user);
            assertThat(wallet.get("version").longValue()).as("version of %s: before + changes answered 2xx", user)
                    .isEqualTo(versions.get(user) + changes.getOrDefault(user, 0));
            new Invariants(client).assertHold(user);
        }
        assertThat(outcomes.keySet()).as("statuses answered").noneMatch(status -> status.startsWith("5"));
    }

    private static RawHttp.Response exchange(RawHttp http, Fuzzed request) {
        try {
            http.send(request.bytes());
            return request.method().equals("HEAD") ? http.readHead() : http.read();
        }
        catch (IOException e) {
            return null;
        }
    }

    private void check(Fuzzed request, RawHttp.Response response) {
        outcomes.merge(Integer.toString(response.status()), 1, Integer::sum);
        if (response.status() >= 500) {
            violations.add(response.status() + " to " + request.describe() + ": " + response.text());
            return;
        }
        if (response.status() >= 400) {
            String contentType = String.valueOf(response.header("Content-Type"));
            JsonNode problem = null;
            try {
                problem = JSON.readTree(response.body());
            }
            catch (RuntimeException e) {
                // not JSON: reported below (a HEAD answer has no body to read)
            }
            boolean head = request.method().equals("HEAD");
            if (!contentType.startsWith("application/problem+json")
                    || !head && (problem == null || problem.get("code") == null || problem.get("code").stringValue().isEmpty())) {
                violations.add(response.status() + " without a problem code to " + request.describe() + ": "
                        + contentType + " " + response.text());
            }
            return;
        }
        if (request.changes() != null && request.method().equals("POST") && response.status() < 300
                && !"true".equals(response.header("Idempotent-Replayed"))) {
            changes.merge(request.changes(), 1, Integer::sum);
        }
    }

    /**
     * One request: {@code changes} names the fuzzed wallet a 2xx answer to it changes (a money route of
     * one of this test's users), else null. {@code unreadable} marks a request the HTTP codec refuses, after
     * which the server closes the connection.
     */
    record Fuzzed(String method, String target, byte[] bytes, String changes, boolean unreadable) {

        String describe() {
            String text = new String(bytes, StandardCharsets.ISO_8859_1).replaceAll("(?i)(bearer) [\\w.-]{40,}", "$1 <token>");
            return text.length() > 600 ? text.substring(0, 600) + "..." : text;
        }
    }

    private Fuzzed next() {
        String user = pick(users);
        String withdrawal = pick(withdrawals.get(user));
        String[] route = pick(List.of(
                new String[] {"GET", "/api/v1/wallets/{u}"},
                new String[] {"POST", "/api/v1/wallets/{u}/credits"},
                new String[] {"POST", "/api/v1/wallets/{u}/withdrawals"},
                new String[] {"GET", "/api/v1/wallets/{u}/withdrawals"},
                new String[] {"GET", "/api/v1/wallets/{u}/withdrawals/{w}"},
                new String[] {"POST", "/api/v1/wallets/{u}/withdrawals/{w}/approve"},
                new String[] {"POST", "/api/v1/wallets/{u}/withdrawals/{w}/reject"},
                new String[] {"GET", "/api/v1/wallets/{u}/transactions"},
                new String[] {"GET", "/api/v1/wallets/{u}/stream"},
                new String[] {"GET", "/actuator/health"},
                new String[] {"GET", "/actuator/prometheus"},
                new String[] {"GET", "/api/v1/nothing"}));
        String method = chance(20) ? pick(List.of(METHODS)) : route[0];
        String pathUser = chance(25) ? pick(List.of("", "a%20b", "%7Bp1%7D", "..", "x".repeat(70), "%00", "a%2Fb", "%C3%A9",
                user + ";x=1", user.toUpperCase(), "%ZZ", user + "%3B", "*")) : user;
        String pathWithdrawal = chance(20) ? pick(List.of("x", "%25", withdrawal + ";a", "0193a4b2-0000-7000-8000-000000000000",
                withdrawal.toUpperCase(), "")) : withdrawal;
        String path = route[1].replace("{u}", pathUser).replace("{w}", pathWithdrawal);
        if (chance(10)) {
            path += pick(List.of("/", "//", "/..", "/%2e%2e", ";", "#frag", "/extra"));
        }
        if (chance(25)) {
            path += "?" + pick(List.of("limit=0", "limit=101", "limit=abc", "limit=5", "status=PENDING", "status=bogus",
                    "cursor=xyz", "cursor=0-0", "limit=1&limit=2", "%zz=1", "a=%", "cursor=" + withdrawal, "status=",
                    "limit=99999999999999999999"));
        }
        boolean post = method.equals("POST");
        byte[] body = post || chance(5) ? body(route[1]) : new byte[0];

        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        String authorization = chance(85) ? "Bearer " + tokens.get(user)
                : pick(List.of("", "Bearer", "Bearer x.y.z", "Basic YTpi", "Bearer " + tokens.get(user) + "x",
                        "Bearer " + LocalTokens.shared().forged(user, Authorized.ALL_SCOPES),
                        "Bearer " + LocalTokens.shared().token(user, "wallet:read", Duration.ofMinutes(5)),
                        "bearer " + tokens.get(user)));
        if (!authorization.isEmpty()) {
            head.append("Authorization: ").append(authorization).append("\r\n");
        }
        if (body.length > 0 || chance(10)) {
            String contentType = chance(70) ? "application/json" : pick(List.of("json", "application/", "/json", "a/b/c", "\"",
                    "application/json; charset=bogus", "application/json; charset=ISO-8859-1", "text/plain",
                    "application/problem+json", "application/json;;", "application/json; q=x", "multipart/form-data",
                    "application/x-www-form-urlencoded"));
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        if (chance(15)) {
            head.append("Accept: ").append(pick(List.of("text/html", "*/*", "application/xml", "garbage", "", "application/*",
                    "text/event-stream"))).append("\r\n");
        }
        if (chance(20)) {
            head.append("Idempotency-Key: ").append(pick(List.of("k-" + random.nextInt(50), "", "k".repeat(300), "caf\u00e9",
                    "a\tb", "fixed-key"))).append("\r\n");
        }
        if (chance(5)) {
            head.append("Last-Event-ID: ").append(pick(List.of("-1", "abc", "99999999999999999999", "3"))).append("\r\n");
        }
        boolean unreadable = chance(3);
        if (unreadable) {
            head.append("X-Fuzz: a\u0001b\r\n");
        }
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        bytes.writeBytes(body);
        // Whatever method the route was listed with: a POST to the withdrawals list requests a withdrawal.
        boolean moneyRoute = route[1].endsWith("/credits") || route[1].endsWith("/withdrawals")
                || route[1].endsWith("/approve") || route[1].endsWith("/reject");
        String changed = moneyRoute && users.contains(decoded(pathUser)) ? decoded(pathUser) : null;
        return new Fuzzed(method, path, bytes.toByteArray(), changed, unreadable);
    }

    private byte[] body(String route) {
        int amount = 1 + random.nextInt(20);
        String valid = route.endsWith("/credits") ? "{\"amount\": " + amount + ", \"reference\": \"fuzz\"}"
                : route.endsWith("/withdrawals") ? "{\"amount\": " + amount + "}"
                : route.endsWith("/reject") ? "{\"reason\": \"fuzz\"}" : "{}";
        if (chance(40)) {
            return valid.getBytes(StandardCharsets.UTF_8);
        }
        return switch (random.nextInt(16)) {
            case 0 -> "{\"amount\": 80.5}".getBytes(StandardCharsets.UTF_8);
            case 1 -> "{\"amount\": \"80\"}".getBytes(StandardCharsets.UTF_8);
            case 2 -> "{\"amount\": -1}".getBytes(StandardCharsets.UTF_8);
            case 3 -> ("{\"amount\": " + "9".repeat(random.nextInt(3000)) + "}").getBytes(StandardCharsets.UTF_8);
            case 4 -> (valid + "}").getBytes(StandardCharsets.UTF_8);
            case 5 -> valid.substring(0, random.nextInt(valid.length())).getBytes(StandardCharsets.UTF_8);
            case 6 -> "{\"amount\": 1, \"reference\": \"a\u00ff\"}".getBytes(StandardCharsets.ISO_8859_1);
            case 7 -> "{\"amount\": 1, \"reference\": \"\\ud800\"}".getBytes(StandardCharsets.UTF_8);
            case 8 -> ("{\"a\": " + "[".repeat(2000) + "]".repeat(2000) + "}").getBytes(StandardCharsets.UTF_8);
            case 9 -> ("{\"amount\": 1, \"reference\": \"" + "x".repeat(17_000) + "\"}").getBytes(StandardCharsets.UTF_8);
            case 10 -> "{\"amount\": 1, \"amount\": 2}".getBytes(StandardCharsets.UTF_8);
            case 11 -> "{\"amount\": 1, \"extra\": true}".getBytes(StandardCharsets.UTF_8);
            case 12 -> "[1,2,3]".getBytes(StandardCharsets.UTF_8);
            case 13 -> {
                byte[] noise = new byte[random.nextInt(64)];
                random.nextBytes(noise);
                yield noise;
            }
            case 14 -> "{\"amount\": null, \"reason\": 7}".getBytes(StandardCharsets.UTF_8);
            default -> new byte[0];
        };
    }

    private static String decoded(String segment) {
        try {
            return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        }
        catch (IllegalArgumentException e) {
            return segment;
        }
    }

    private boolean chance(int percent) {
        return random.nextInt(100) < percent;
    }

    private <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }
}
