package app.wallet.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import app.wallet.support.Authorized;
import app.wallet.support.IntegrationTest;
import app.wallet.support.LocalTokens;
import app.wallet.support.RawHttp;
import app.wallet.support.WalletApi;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests no well-behaved client sends, byte for byte: each ends in a problem with a code, never a 500,
 * and changes nothing.
 */
@ExtendWith(OutputCaptureExtension.class)
class EdgeTest extends IntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** What a detail must never show: parser classes, settings and source excerpts. */
    private static final Pattern INTERNALS = Pattern.compile("jackson|Feature|Constraints|Source|JsonNode|Exception|\\w+\\.\\w+\\.\\w+");

    private String user;
    private String withdrawalId;
    private WalletApi api;
    private String token;

    @BeforeEach
    void wallet() {
        user = newUserId();
        api = new WalletApi(client);
        api.credit(user, 10_000);
        withdrawalId = api.withdraw(user, 1_000).get("id").stringValue();
        token = LocalTokens.shared().token(user, Authorized.ALL_SCOPES, java.time.Duration.ofMinutes(10));
    }

    @ParameterizedTest
    @ValueSource(strings = {"json", "application/", "/json", "a/b/c", "\"", "application/json; charset=bogus",
            "application/json; charset=ISO-8859-1", "application/json; charset=utf-16", "text/plain"})
    void aMalformedOrForeignContentTypeIsUnsupportedMediaType(String contentType) throws IOException {
        RawHttp.Response response = post("/api/v1/wallets/" + user + "/credits", "Content-Type: " + contentType,
                "{\"amount\": 1}".getBytes(StandardCharsets.UTF_8));
        assertProblem(response, 415, "unsupported-media-type");
        assertUnchanged();
    }

    @Test
    void aDeclaredUtf8CharsetIsRead() throws IOException {
        RawHttp.Response response = post("/api/v1/wallets/" + user + "/credits",
                "Content-Type: application/json; charset=\"UTF-8\"", "{\"amount\": 1}".getBytes(StandardCharsets.UTF_8));
        assertThat(response.status()).isEqualTo(200);
    }

    @Test
    void invalidUtf8IsRefusedNotStoredWithReplacementCharacters() throws IOException {
        byte[] first = "{\"amount\": 1, \"reference\": \"a\u00ff\"}".getBytes(StandardCharsets.ISO_8859_1);
        byte[] second = "{\"amount\": 1, \"reference\": \"a\u00fe\"}".getBytes(StandardCharsets.ISO_8859_1);
        for (byte[] body : new byte[][] {first, second, first}) {
            RawHttp.Response response = post("/api/v1/wallets/" + user + "/credits",
                    "Content-Type: application/json\r\nIdempotency-Key: same-key", body);
            assertProblem(response, 400, "invalid-request");
            assertThat(JSON.readTree(response.body()).get("errors").get(0).get("field").stringValue()).isEqualTo("body");
        }
        assertUnchanged();
    }

    @Test
    void halfACharacterEscapedInJsonIsRefused() throws IOException {
        RawHttp.Response response = post("/api/v1/wallets/" + user + "/credits", "Content-Type: application/json",
                "{\"amount\": 1, \"reference\": \"\\ud800\"}".getBytes(StandardCharsets.UTF_8));
        assertProblem(response, 400, "invalid-request");
        assertUnchanged();
    }

    @Test
    void matrixParametersAreRefusedAndActOnNothing() throws IOException {
        String base = "/api/v1/wallets/" + user;
        for (String path : new String[] {base + ";x=1", base + ";x=1/credits", base + "/withdrawals/" + withdrawalId + ";x=1/approve",
                base + "/withdrawals/" + withdrawalId + "/approve;x=1", base + "/withdrawals/" + withdrawalId + "/reject;"}) {
            RawHttp.Response response = post(path, "Content-Type: application/json", "{}".getBytes(StandardCharsets.UTF_8));
            assertProblem(response, 400, "invalid-request");
        }
        assertUnchanged();
        client.get().uri("/api/v1/wallets/{u}/withdrawals/{w}", user, withdrawalId).exchange()
                .expectBody().jsonPath("$.status").isEqualTo("PENDING");
    }

    @Test
    void unknownPathsAreNotFoundAndOtherMethodsAreNotAllowed() throws IOException {
        assertProblem(request("GET /api/v1/nothing-here HTTP/1.1", ""), 404, "not-found");
        assertProblem(request("GET /api/v1/wallets/" + user + "/credits/x HTTP/1.1", ""), 404, "not-found");
        RawHttp.Response put = request("PUT /api/v1/wallets/" + user + "/credits HTTP/1.1", "Content-Length: 0");
        assertProblem(put, 405, "method-not-allowed");
        assertThat(put.header("Allow")).isEqualTo("POST");
        RawHttp.Response delete = request("DELETE /api/v1/wallets/" + user + " HTTP/1.1", "");
        assertProblem(delete, 405, "method-not-allowed");
        assertThat(delete.header("Allow")).isEqualTo("GET,HEAD");
        RawHttp.Response list = request("PATCH /api/v1/wallets/" + user + "/withdrawals HTTP/1.1", "Content-Length: 0");
        assertProblem(list, 405, "method-not-allowed");
        assertThat(list.header("Allow")).isEqualTo("GET,POST,HEAD");
        assertUnchanged();
    }

    @Test
    void headAnswersLikeGetWithoutABody() throws IOException {
        try (RawHttp http = new RawHttp(port)) {
            http.send("HEAD /api/v1/wallets/" + user + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
                    + "\r\n\r\nGET /api/v1/wallets/" + user + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n\r\n");
            RawHttp.Response head = http.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Content-Type")).isEqualTo("application/json");
            assertThat(head.header("Content-Length")).isNotNull();
            // The GET after it on the same connection is read whole: the HEAD sent no body to skip.
            RawHttp.Response get = http.read();
            assertThat(JSON.readTree(get.body()).get("version").longValue()).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"amount\": 1} x", "{\"amount\": 1}}", "{\"amount\": 1, \"amount\": 2}", "{\"amount\": 01}",
            "{\"amount\": 1, \"reference\": \"\\x\"}", "{\"amount\": NaN}", "{'amount': 1}"})
    void aDetailNamesNoParserInternals(String body) throws IOException {
        RawHttp.Response response = post("/api/v1/wallets/" + user + "/credits", "Content-Type: application/json",
                body.getBytes(StandardCharsets.UTF_8));
        assertProblem(response, 400, "invalid-request");
        assertThat(JSON.readTree(response.body()).get("detail").stringValue()).doesNotContainPattern(INTERNALS);
        assertUnchanged();
    }

    @Test
    void parserLimitsAreInvalidRequestsWithoutInternals() throws IOException {
        String deep = "{\"amount\": 1, \"reference\": " + "[".repeat(3000) + "]".repeat(3000) + "}";
        String longNumber = "{\"amount\": " + "9".repeat(2000) + "}";
        for (String body : new String[] {deep, longNumber}) {
            RawHttp.Response response = post("/api/v1/wallets/" + user + "/credits", "Content-Type: application/json",
                    body.getBytes(StandardCharsets.UTF_8));
            assertProblem(response, 400, "invalid-request");
            assertThat(JSON.readTree(response.body()).get("detail").stringValue()).doesNotContainPattern(INTERNALS);
        }
        assertUnchanged();
    }

    @Test
    void requestsTheCodecCannotReadAreProblemsLoggedInOneLine(CapturedOutput output) throws IOException {
        assertProblem(request("GET /api/v1/wallets/" + user + "?" + "q".repeat(5000) + " HTTP/1.1", ""), 414, "uri-too-long");
        StringBuilder headers = new StringBuilder();
        for (int i = 0; i < 700; i++) {
            headers.append("X-Header-").append(i).append(": ").append("v".repeat(20)).append("\r\n");
        }
        assertProblem(request("GET /api/v1/wallets/" + user + " HTTP/1.1", headers.toString().strip()), 431, "headers-too-large");
        assertProblem(request("GET /api/v1/wallets/" + user + " HTTP/1.1", "X-Control: a\u0001b"), 400, "invalid-request");
        long warnings = output.getAll().lines().filter(line -> line.contains("Decoding failed")).count();
        long headerLines = output.getAll().lines().filter(line -> line.contains("X-Header-")).count();
        assertThat(warnings).isEqualTo(3);
        assertThat(headerLines).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"HTTP/2.0", "HTTP/3.0", "HTTP/0.9"})
    void aRequestInAnHttpVersionTheServerDoesNotSpeakIsAProblemAndChangesNothing(String version) throws IOException {
        try (RawHttp http = new RawHttp(port)) {
            http.send("POST /api/v1/wallets/" + user + "/credits " + version + "\r\nHost: x\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"amount\": 500}");
            RawHttp.Response response = http.read();
            assertProblem(response, 400, "invalid-request");
            assertThat(JSON.readTree(response.body()).get("detail").stringValue()).contains(version);
            assertThat(http.closedByServer()).isTrue();
        }
        assertUnchanged();
    }

    @Test
    void aHigherMinorVersionIsServedAsHttp11() throws IOException {
        assertThat(request("GET /api/v1/wallets/" + user + " HTTP/1.2", "").status()).isEqualTo(200);
    }

    @Test
    void firewallRefusalsAreProblemsToo() throws IOException {
        assertProblem(request("GET /api/v1/wallets/" + user + "%2F..%2Fx HTTP/1.1", ""), 400, "invalid-request");
        assertProblem(request("GET /api/v1/wallets/%25" + user + " HTTP/1.1", ""), 400, "invalid-request");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/v1/wallets/%ZZ", "/api/v1/wallets/a{b", "/api/v1/wallets/a\"b",
            "/api/v1/wallets/{u}/transactions?limit=<5>", "/api/v1/wallets/{u}/transactions?limit=%"})
    void targetsThatAreNoUriAreProblems(String target) throws IOException {
        assertProblem(request("GET " + target.replace("{u}", user) + " HTTP/1.1", ""), 400, "invalid-request");
    }

    @Test
    void aStrayPercentInAnUnknownParameterIsTakenLiterallyAndIgnored() throws IOException {
        assertThat(request("GET /api/v1/wallets/" + user + "?%zz=1&a=% HTTP/1.1", "").status()).isEqualTo(200);
    }

    @Test
    void anErrorAnsweredWithoutABodyGetsAProblem() throws IOException {
        assertProblem(request("GET /actuator/health/no-such-component HTTP/1.1", ""), 404, "not-found");
    }

    @Test
    void anEmptyAcceptIsAnyType() throws IOException {
        assertThat(request("GET /actuator/prometheus HTTP/1.1", "Accept: ").status()).isEqualTo(200);
        assertThat(request("GET /api/v1/wallets/" + user + " HTTP/1.1", "Accept: ").status()).isEqualTo(200);
    }

    private RawHttp.Response post(String path, String headers, byte[] body) throws IOException {
        try (RawHttp http = new RawHttp(port)) {
            http.send("POST " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n" + headers
                    + "\r\nContent-Length: " + body.length + "\r\n\r\n");
            http.send(body);
            return http.read();
        }
    }

    private RawHttp.Response request(String requestLine, String headers) throws IOException {
        try (RawHttp http = new RawHttp(port)) {
            http.send(requestLine + "\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n"
                    + (headers.isEmpty() ? "" : headers + "\r\n") + "\r\n");
            return http.read();
        }
    }

    private static void assertProblem(RawHttp.Response response, int status, String code) {
        assertThat(response).as("a response").isNotNull();
        assertThat(response.status()).as(response.text()).isEqualTo(status);
        assertThat(response.header("Content-Type")).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.get("code").stringValue()).isEqualTo(code);
        assertThat(problem.get("status").intValue()).isEqualTo(status);
    }

    private void assertUnchanged() {
        JsonNode wallet = api.wallet(user);
        assertThat(wallet.get("version").longValue()).isEqualTo(2);
        assertThat(wallet.get("balance").longValue()).isEqualTo(9_000);
    }
}
