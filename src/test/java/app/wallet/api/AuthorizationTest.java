package app.wallet.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import app.wallet.support.IntegrationTest;
import app.wallet.support.LocalTokens;
import app.wallet.support.WalletApi;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every route against every kind of caller: no token, a token the service must not trust (forged,
 * expired, not yet valid, another issuer, another audience), another user's token, a token without the
 * scope, and the right one. Only the right one gets through, and a refused request changes nothing.
 */
class AuthorizationTest extends IntegrationTest {

    private static final LocalTokens TOKENS = LocalTokens.shared();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * A route, the token that may call it for the wallet of user {@code u}, and the one with the right user
     * but not the scope (for the routes no owner may call: the owner with every owner scope).
     */
    record Route(String name, HttpMethod method, String path, Function<String, String> right,
            Function<String, String> wrongScope, int success) {

        /** Whether the right token is the wallet owner's, so that another user's token must be refused. */
        boolean owned() {
            return subjectOf(right.apply("x")).equals("x");
        }

        @Override
        public String toString() {
            return name;
        }
    }

    enum Caller { NONE, FORGED, EXPIRED, NOT_YET_VALID, OTHER_ISSUER, OTHER_AUDIENCE, OTHER_USER, WRONG_SCOPE, RIGHT }

    private String user;
    private String withdrawalId;
    private WalletApi api;

    @BeforeEach
    void wallet() {
        user = newUserId();
        api = new WalletApi(client);
        api.credit(user, 10_000);
        withdrawalId = api.withdraw(user, 1_000).get("id").stringValue();
    }

    static List<Route> routes() {
        String wallet = "/api/v1/wallets/{u}";
        Function<String, String> ownerReads = u -> token(u, "wallet:read");
        Function<String, String> ownerWithdraws = u -> token(u, "wallet:withdraw");
        Function<String, String> operator = u -> token("operator-7", "wallet:operate");
        Function<String, String> ownerWithEveryOwnerScope = u -> token(u, "wallet:read wallet:withdraw");
        return List.of(
                new Route("read wallet", HttpMethod.GET, wallet, ownerReads, ownerWithdraws, 200),
                new Route("list withdrawals", HttpMethod.GET, wallet + "/withdrawals", ownerReads, ownerWithdraws, 200),
                new Route("read withdrawal", HttpMethod.GET, wallet + "/withdrawals/{w}", ownerReads, ownerWithdraws, 200),
                new Route("transactions", HttpMethod.GET, wallet + "/transactions", ownerReads, ownerWithdraws, 200),
                new Route("stream", HttpMethod.GET, wallet + "/stream", ownerReads, ownerWithdraws, 200),
                new Route("credit", HttpMethod.POST, wallet + "/credits", u -> token("earnings", "wallet:credit"),
                        ownerWithEveryOwnerScope, 200),
                new Route("credit batch", HttpMethod.POST, "/api/v1/credits:batch", u -> token("earnings", "wallet:credit"),
                        ownerWithEveryOwnerScope, 200),
                new Route("withdraw", HttpMethod.POST, wallet + "/withdrawals", ownerWithdraws, ownerReads, 201),
                new Route("approve", HttpMethod.POST, wallet + "/withdrawals/{w}/approve", operator,
                        ownerWithEveryOwnerScope, 200),
                new Route("reject", HttpMethod.POST, wallet + "/withdrawals/{w}/reject", operator,
                        ownerWithEveryOwnerScope, 200),
                new Route("operator queue", HttpMethod.GET, "/api/v1/withdrawals", operator,
                        u -> token(u, "wallet:read:any wallet:read wallet:credit metrics:read"), 200),
                new Route("audit", HttpMethod.POST, "/api/v1/admin/audit", operator,
                        u -> token("reader", "wallet:read:any metrics:read"), 200),
                new Route("metrics", HttpMethod.GET, "/actuator/prometheus", u -> token("prometheus", "metrics:read"),
                        u -> token("reader", "wallet:read:any"), 200),
                new Route("health details", HttpMethod.GET, "/actuator/health", operator,
                        ownerWithEveryOwnerScope, 200));
    }

    static Stream<Arguments> everyRouteAndCaller() {
        return routes().stream().flatMap(route -> Stream.of(Caller.values()).map(caller -> Arguments.of(route, caller)));
    }

    @ParameterizedTest(name = "{0} by {1}")
    @MethodSource("everyRouteAndCaller")
    void onlyTheRightCallerGetsThrough(Route route, Caller caller) {
        long version = version();
        String token = switch (caller) {
            case NONE -> null;
            case FORGED -> TOKENS.forged(subjectOf(route.right().apply(user)), scopeOf(route.right().apply(user)));
            case EXPIRED -> like(route, claims -> claims.issuedAt(Instant.now().minusSeconds(3600))
                    .notBefore(Instant.now().minusSeconds(3600)).expiresAt(Instant.now().minusSeconds(300)));
            case NOT_YET_VALID -> like(route, claims -> claims.notBefore(Instant.now().plusSeconds(300)));
            case OTHER_ISSUER -> like(route, claims -> claims.issuer("https://issuer.example"));
            case OTHER_AUDIENCE -> like(route, claims -> claims.audience(List.of("another-service")));
            // Another user with the owner's scopes; where no owner may call, the owner with every owner scope.
            case OTHER_USER -> route.owned() ? route.right().apply("someone-else") : token(user, "wallet:read wallet:withdraw");
            case WRONG_SCOPE -> route.wrongScope().apply(user);
            case RIGHT -> route.right().apply(user);
        };

        int status = call(route, token);

        switch (caller) {
            case NONE, FORGED, EXPIRED, NOT_YET_VALID, OTHER_ISSUER, OTHER_AUDIENCE -> assertThat(status).isEqualTo(401);
            case OTHER_USER, WRONG_SCOPE -> assertThat(status).isEqualTo(403);
            case RIGHT -> assertThat(status).isEqualTo(route.success());
        }
        if (caller != Caller.RIGHT) {
            assertThat(version()).as("the wallet's version after a refused request").isEqualTo(version);
        }
    }

    @Test
    void anotherServiceWithReadAnyReadsWalletsAndStreamsButNotTheirHistory() {
        String reader = token("reporting", "wallet:read:any");
        assertThat(call(route("read wallet"), reader)).isEqualTo(200);
        assertThat(call(route("stream"), reader)).isEqualTo(200);
        assertThat(call(route("list withdrawals"), reader)).isEqualTo(403);
        assertThat(call(route("transactions"), reader)).isEqualTo(403);
        assertThat(call(route("credit"), reader)).isEqualTo(403);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/actuator/health/liveness", "/actuator/health/readiness"})
    void theProbesAreOpenAndTellNoDetails(String probe) {
        unauthenticatedClient().get().uri(probe).exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.status").isEqualTo("UP")
                .jsonPath("$.components").doesNotExist()
                .jsonPath("$.details").doesNotExist();
    }

    @Test
    void refusalsAreProblemsWithTheBearerChallenge() {
        unauthenticatedClient().get().uri("/api/v1/wallets/{u}", user).exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().valueEquals("WWW-Authenticate", "Bearer")
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.code").isEqualTo("unauthorized");
        unauthenticatedClient().get().uri("/api/v1/wallets/{u}", user)
                .headers(h -> h.setBearerAuth(like(route("read wallet"),
                        claims -> claims.expiresAt(Instant.now().minusSeconds(300)).issuedAt(Instant.now().minusSeconds(900))
                                .notBefore(Instant.now().minusSeconds(900)))))
                .exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().value("WWW-Authenticate", value -> assertThat(value).startsWith("Bearer error=\"invalid_token\""))
                .expectBody().jsonPath("$.code").isEqualTo("unauthorized");
        unauthenticatedClient().get().uri("/api/v1/wallets/{u}", user)
                .headers(h -> h.setBearerAuth(token("someone-else", "wallet:read")))
                .exchange()
                .expectStatus().isForbidden()
                .expectHeader().value("WWW-Authenticate", value -> assertThat(value).contains("insufficient_scope"))
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.code").isEqualTo("forbidden");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer", "Bearer ", "Bearer a b", "Bearer  abc", "Bearer abc=def", "Bearer ab\u00e7", "Bearer\tabc"})
    void aMalformedBearerTokenIsRefusedAsInvalid(String authorization) {
        unauthenticatedClient().get().uri("/api/v1/wallets/{u}", user).header(HttpHeaders.AUTHORIZATION, authorization).exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.code").isEqualTo("unauthorized");
    }

    @Test
    void theSchemeIsReadWhateverItsCase() {
        unauthenticatedClient().get().uri("/api/v1/wallets/{u}", user)
                .header(HttpHeaders.AUTHORIZATION, "bEARER " + token(user, "wallet:read")).exchange()
                .expectStatus().isOk();
    }

    @Test
    void theLedgerRecordsWhoMadeEachChangeByTokenSubjectOrClientId() {
        String approver = token("operator-42", "wallet:operate");
        assertThat(call(route("approve"), approver)).isEqualTo(200);
        String clientToken = TOKENS.token(claims -> claims.claim("client_id", "payroll-batch").claim("scope", "wallet:credit"));
        assertThat(call(route("credit"), clientToken)).isEqualTo(200);

        JsonNode entries = client.get().uri("/api/v1/wallets/{u}/transactions", user).exchange()
                .expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody().get("items");
        assertThat(entries.get(0).get("actor").stringValue()).isEqualTo("payroll-batch");
        assertThat(entries.get(1).get("type").stringValue()).isEqualTo("WITHDRAWAL_APPROVED");
        assertThat(entries.get(1).get("actor").stringValue()).isEqualTo("operator-42");
        assertThat(entries.get(2).get("actor").stringValue()).isEqualTo(user);
    }

    @Test
    void oneIdempotencyKeyFromTwoCallersIsTwoKeys() {
        String first = token("earnings-eu", "wallet:credit");
        String second = token("earnings-us", "wallet:credit");
        for (String caller : List.of(first, second, first, second)) {
            unauthenticatedClient().post().uri("/api/v1/wallets/{u}/credits", user)
                    .headers(h -> h.setBearerAuth(caller))
                    .header("Idempotency-Key", "run-2026-11-26")
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("amount", 100))
                    .exchange().expectStatus().isOk();
        }
        // Two changes, one per caller; each caller's repeat was a replay of its own.
        assertThat(version()).isEqualTo(4);
        assertThat(api.wallet(user).get("balance").longValue()).isEqualTo(9_200);
    }

    private int call(Route route, String token) {
        WebTestClient.RequestBodySpec request = unauthenticatedClient().method(route.method())
                .uri(route.path(), Map.of("u", user, "w", withdrawalId));
        if (token != null) {
            request.headers(h -> h.setBearerAuth(token));
        }
        if (route.method() == HttpMethod.POST) {
            boolean money = route.path().endsWith("/credits") || route.path().endsWith("/withdrawals");
            Object body = route.path().endsWith("credits:batch")
                    ? Map.of("items", java.util.List.of(Map.of("userId", user, "amount", 100, "idempotencyKey", UUID.randomUUID().toString())))
                    : money ? Map.of("amount", 100) : Map.of();
            request.contentType(MediaType.APPLICATION_JSON).bodyValue(body);
        }
        if (route.name().equals("stream")) {
            var result = request.accept(MediaType.TEXT_EVENT_STREAM).exchange()
                    .returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() { });
            int status = result.getStatus().value();
            if (status == 200) {
                assertThat(result.getResponseBody().blockFirst(Duration.ofSeconds(10)).event()).isEqualTo("balance");
            }
            return status;
        }
        EntityExchangeResult<byte[]> result = request.exchange().expectBody().returnResult();
        int status = result.getStatus().value();
        if (status >= 400) {
            assertThat(result.getResponseHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
            assertThat(JSON.readTree(result.getResponseBody()).get("code").stringValue())
                    .isEqualTo(status == 401 ? "unauthorized" : status == 403 ? "forbidden" : "unexpected " + status);
        }
        return status;
    }

    private long version() {
        return api.wallet(user).get("version").longValue();
    }

    private static Route route(String name) {
        return routes().stream().filter(route -> route.name().equals(name)).findFirst().orElseThrow();
    }

    /** The right caller's claims, adjusted. */
    private String like(Route route, Consumer<JwtClaimsSet.Builder> adjust) {
        String right = route.right().apply(user);
        return TOKENS.token(claims -> {
            claims.subject(subjectOf(right)).claim("scope", scopeOf(right));
            adjust.accept(claims);
        });
    }

    private static String token(String subject, String scope) {
        return TOKENS.token(subject, scope, Duration.ofMinutes(10));
    }

    private static String subjectOf(String token) {
        return claims(token).get("sub").stringValue();
    }

    private static String scopeOf(String token) {
        return claims(token).get("scope").stringValue();
    }

    private static JsonNode claims(String token) {
        byte[] payload = Base64.getUrlDecoder().decode(token.split("\\.")[1]);
        return JSON.readTree(payload);
    }
}
