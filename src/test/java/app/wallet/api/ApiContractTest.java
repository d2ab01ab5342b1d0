package app.wallet.api;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.RequestPredicate;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import app.wallet.support.ApiContract;
import app.wallet.support.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI document against the running service: it is served to any valid token, it names exactly the routes
 * the routers serve, and its check of responses (which every API test's client runs) refuses what it should.
 */
class ApiContractTest extends IntegrationTest {

    @Autowired
    private ApplicationContext context;

    @Test
    void everyRouteTheRoutersServeIsInTheDocumentAndNothingElse() {
        Set<String> served = new TreeSet<>();
        for (RouterFunction<?> router : context.getBeansOfType(RouterFunction.class).values()) {
            router.accept(new Routes(served));
        }
        served.removeIf(route -> route.endsWith(" /v3/api-docs") || route.endsWith(" /v3/api-docs.yaml"));
        Set<String> documented = new TreeSet<>();
        ApiContract.all().forEach(operation -> documented.add(operation.method() + " " + operation.path()));

        assertThat(served).hasSizeGreaterThanOrEqualTo(10).isEqualTo(documented);
    }

    @Test
    void theDocumentIsServedAsJsonAndAsKeptToAnyValidToken() {
        // Every route but the probes needs a token (the contract): any caller's will do for the description.
        unauthenticatedClient().get().uri("/v3/api-docs").exchange().expectStatus().isUnauthorized();
        JsonNode json = client.get().uri("/v3/api-docs").exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        byte[] yaml = client.get().uri("/v3/api-docs.yaml").exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.parseMediaType("application/yaml"))
                .expectBody().returnResult().getResponseBody();

        assertThat(json).isEqualTo(ApiContract.DOCUMENT);
        assertThat(YAMLMapper.shared().readTree(new String(yaml, StandardCharsets.UTF_8))).isEqualTo(ApiContract.DOCUMENT);
        assertThat(json.path("openapi").asString()).startsWith("3.1.");
    }

    @Test
    void theCheckRefusesResponsesTheDocumentDoesNotAllow() {
        String wallet = """
                {"userId":"alice","currency":"USD","balance":1,"pending":0,"totalEarnings":1,"totalWithdrawn":0,
                 "version":1,"createdAt":"2026-11-25T06:00:00Z","updatedAt":"2026-11-25T06:00:00Z"}""";
        assertThat(violations(HttpMethod.GET, "/api/v1/wallets/alice", 200, MediaType.APPLICATION_JSON, wallet)).isEmpty();

        assertThat(violations(HttpMethod.GET, "/api/v1/wallets/alice", 200, MediaType.APPLICATION_JSON,
                wallet.replace("\"balance\":1", "\"balance\":1.5"))).singleElement().asString().contains("balance");
        assertThat(violations(HttpMethod.GET, "/api/v1/wallets/alice", 200, MediaType.APPLICATION_JSON,
                wallet.replace("\"version\":1,", "\"version\":1,\"extra\":true,"))).singleElement().asString().contains("extra");
        assertThat(violations(HttpMethod.GET, "/api/v1/wallets/alice", 200, MediaType.TEXT_PLAIN, wallet))
                .singleElement().asString().contains("Content-Type");
        assertThat(violations(HttpMethod.GET, "/api/v1/wallets/alice", 409, MediaType.APPLICATION_PROBLEM_JSON,
                problem("withdrawal-not-pending", 409))).singleElement().asString().contains("status not in the document");
        assertThat(violations(HttpMethod.POST, "/api/v1/wallets/alice/credits", 422, MediaType.APPLICATION_PROBLEM_JSON,
                problem("no-such-code"))).singleElement().asString().contains("code");
        assertThat(violations(HttpMethod.GET, "/api/v1/nowhere", 200, MediaType.APPLICATION_JSON, "{}"))
                .singleElement().asString().contains("no such operation");
        assertThat(violations(HttpMethod.GET, "/api/v1/nowhere", 404, MediaType.APPLICATION_PROBLEM_JSON,
                problem("not-found").replace("422", "404"))).isEmpty();
        assertThat(violations(HttpMethod.GET, "/api/v1/nowhere", 404, MediaType.APPLICATION_PROBLEM_JSON,
                problem("not-found"))).singleElement().asString().contains("the problem says status 422");
        assertThat(violations(HttpMethod.GET, "/api/v1/wallets/alice", 200, MediaType.APPLICATION_JSON,
                wallet.replace("\"createdAt\":\"2026-11-25T06:00:00Z\"", "\"createdAt\":\"yesterday\"")))
                .singleElement().asString().contains("createdAt");
        // A 201 without the Location the document requires.
        assertThat(violations(HttpMethod.POST, "/api/v1/wallets/alice/withdrawals", 201, MediaType.APPLICATION_JSON, "{}"))
                .singleElement().asString().contains("no Location header");
    }

    private static java.util.List<String> violations(HttpMethod method, String path, int status, MediaType type, String body) {
        return ApiContract.violations(method, path, status, new HttpHeaders(), type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static String problem(String code) {
        return problem(code, 422);
    }

    private static String problem(String code, int status) {
        return "{\"type\":\"urn:problem-type:wallet:" + code + "\",\"title\":\"t\",\"status\":" + status
                + ",\"detail\":\"d\",\"code\":\"" + code + "\"}";
    }

    /** Collects "METHOD /path" of every route, nested paths joined. */
    private static final class Routes implements RouterFunctions.Visitor {

        private final Set<String> routes;
        private final Deque<String> prefixes = new ArrayDeque<>();

        Routes(Set<String> routes) {
            this.routes = routes;
        }

        @Override
        public void startNested(RequestPredicate predicate) {
            Parts parts = Parts.of(predicate);
            prefixes.push((prefixes.isEmpty() ? "" : prefixes.peek()) + parts.path);
        }

        @Override
        public void endNested(RequestPredicate predicate) {
            prefixes.pop();
        }

        @Override
        public void route(RequestPredicate predicate, HandlerFunction<?> handler) {
            Parts parts = Parts.of(predicate);
            assertThat(parts.methods).as("methods of %s", predicate).isNotEmpty();
            parts.methods.forEach(method -> routes.add(method + " " + (prefixes.isEmpty() ? "" : prefixes.peek()) + parts.path));
        }

        @Override
        public void resources(Function<ServerRequest, Mono<Resource>> lookup) {
            routes.add("resources " + lookup);
        }

        @Override
        public void attributes(Map<String, Object> attributes) {
        }

        @Override
        public void unknown(RouterFunction<?> router) {
            routes.add("unknown " + router);
        }
    }

    /** The methods and the path a route's predicate names; anything else in it fails the test. */
    private static final class Parts implements RequestPredicates.Visitor {

        private final Set<String> methods = new TreeSet<>();
        private String path = "";

        static Parts of(RequestPredicate predicate) {
            Parts parts = new Parts();
            predicate.accept(parts);
            return parts;
        }

        @Override public void method(Set<HttpMethod> set) { set.forEach(method -> methods.add(method.name())); }
        @Override public void path(String pattern) { path += pattern; }
        @Override public void pathExtension(String extension) { throw new AssertionError("path extension " + extension); }
        @Override public void header(String name, String value) { throw new AssertionError("header predicate " + name); }
        @Override public void queryParam(String name, String value) { throw new AssertionError("query predicate " + name); }
        @Override public void version(String version) { throw new AssertionError("version predicate " + version); }
        @Override public void startAnd() { }
        @Override public void and() { }
        @Override public void endAnd() { }
        @Override public void startOr() { throw new AssertionError("an or predicate"); }
        @Override public void or() { }
        @Override public void endOr() { }
        @Override public void startNegate() { throw new AssertionError("a negated predicate"); }
        @Override public void endNegate() { }
        @Override public void unknown(RequestPredicate predicate) { throw new AssertionError("predicate " + predicate); }
    }
}
