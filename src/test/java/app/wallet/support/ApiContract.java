package app.wallet.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The service's OpenAPI description ({@code contracts/wallet-api.openapi.yaml} in the jar), used the way a
 * strict client would: every response the API tests receive is checked against it ({@link #checked()}), so a
 * route, status, media type or field the document does not describe fails the test that met it.
 */
public final class ApiContract {

    public static final JsonNode DOCUMENT = load();

    private static final List<Operation> OPERATIONS = operations();
    private static final Map<JsonNode, Schema> SCHEMAS = new ConcurrentHashMap<>();
    private static final String PROBLEM = "#/components/schemas/Problem";

    private ApiContract() {
    }

    /** One path template and method of the document. */
    public record Operation(String method, String path, Pattern pattern, JsonNode node) {
    }

    public static List<Operation> all() {
        return OPERATIONS;
    }

    /**
     * A filter that passes every response on unchanged after checking it against the document; a streamed
     * ({@code text/event-stream}) body is passed through unread, its status and media type checked.
     */
    public static ExchangeFilterFunction checked() {
        return (request, next) -> next.exchange(request).flatMap(response -> {
            HttpMethod method = request.method();
            String path = request.url().getRawPath();
            if (!path.startsWith("/api/")) {
                return Mono.just(response);   // the actuator and the document itself: not the API it describes
            }
            int status = response.statusCode().value();
            MediaType type = response.headers().contentType().orElse(null);
            HttpHeaders headers = response.headers().asHttpHeaders();
            if (type != null && type.isCompatibleWith(MediaType.TEXT_EVENT_STREAM)) {
                check(method, path, status, headers, type, null);
                return Mono.just(response);
            }
            return response.bodyToMono(byte[].class).defaultIfEmpty(new byte[0]).map(body -> {
                check(method, path, status, headers, type, body);
                return response.mutate()
                        .body(body.length == 0 ? Flux.empty() : Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(body)))
                        .build();
            });
        });
    }

    /**
     * What is wrong with a response by the document; empty when it is one the document allows. A body of
     * null means a stream that is not read. A path or method the document does not have may only be answered
     * with a problem.
     */
    public static List<String> violations(HttpMethod method, String path, int status, HttpHeaders headers,
            @Nullable MediaType type, byte @Nullable [] body) {
        String call = method + " " + path + " -> " + status;
        List<String> violations = new ArrayList<>(problemStatus(call, status, type, body));
        violations.addAll(responseViolations(method, path, status, headers, type, body, call));
        return violations;
    }

    private static List<String> responseViolations(HttpMethod method, String path, int status, HttpHeaders headers,
            @Nullable MediaType type, byte @Nullable [] body, String call) {
        Operation operation = find(method, path);
        if (operation == null) {
            if (status < 400) {
                return List.of(call + ": the document has no such operation");
            }
            return body == null || method == HttpMethod.HEAD ? List.of() : bodyViolations(call, PROBLEM, type, body);
        }
        JsonNode responses = operation.node().path("responses");
        JsonNode response = responses.path(Integer.toString(status));
        if (response.isMissingNode()) {
            if (status < 400 || !isCommonProblem(status)) {
                return List.of(call + ": status not in the document for " + operation.method() + " " + operation.path());
            }
            return body == null || method == HttpMethod.HEAD ? List.of() : bodyViolations(call, PROBLEM, type, body);
        }
        response = resolve(response);
        List<String> missing = missingHeaders(call, response, headers);
        if (!missing.isEmpty()) {
            return missing;
        }
        JsonNode content = response.path("content");
        if (content.isMissingNode() || content.isEmpty()) {
            return body != null && body.length > 0 ? List.of(call + ": a body where the document has none") : List.of();
        }
        if (type == null) {
            return method == HttpMethod.HEAD ? List.of() : List.of(call + ": no Content-Type");
        }
        for (Map.Entry<String, JsonNode> media : content.properties()) {
            if (MediaType.parseMediaType(media.getKey()).equalsTypeAndSubtype(new MediaType(type.getType(), type.getSubtype()))) {
                if (body == null || method == HttpMethod.HEAD || !media.getValue().has("schema")
                        || !type.isCompatibleWith(MediaType.APPLICATION_JSON) && !type.getSubtype().endsWith("+json")) {
                    return List.of();
                }
                return validate(call, media.getValue().path("schema"), body);
            }
        }
        return List.of(call + ": Content-Type " + type + " not in the document (" + content.propertyNames() + ")");
    }

    /** The operation of the document a request path and method name, or null. */
    public static @Nullable Operation find(HttpMethod method, String path) {
        String name = method == HttpMethod.HEAD ? "GET" : method.name();
        return OPERATIONS.stream()
                .filter(operation -> operation.method().equals(name) && operation.pattern().matcher(path).matches())
                .min(Comparator.comparingLong(operation -> operation.path().chars().filter(c -> c == '{').count()))
                .orElse(null);
    }

    /** Statuses any route may answer with a problem (see the document's description). */
    private static boolean isCommonProblem(int status) {
        return status == 400 || status == 401 || status == 403 || status == 404 || status == 405 || status == 406
                || status == 413 || status == 414 || status == 415 || status == 431 || status == 503;
    }

    private static List<String> bodyViolations(String call, String schemaRef, @Nullable MediaType type, byte[] body) {
        if (type == null || !type.equalsTypeAndSubtype(MediaType.APPLICATION_PROBLEM_JSON)) {
            return List.of(call + ": expected application/problem+json, got " + type);
        }
        ObjectNode ref = JsonMapper.shared().createObjectNode().put("$ref", schemaRef);
        return validate(call, ref, body);
    }

    /** A problem's {@code status} is the response's. */
    private static List<String> problemStatus(String call, int status, @Nullable MediaType type, byte @Nullable [] body) {
        if (body == null || body.length == 0 || type == null || !type.equalsTypeAndSubtype(MediaType.APPLICATION_PROBLEM_JSON)) {
            return List.of();
        }
        try {
            JsonNode problem = JsonMapper.shared().readTree(body);
            return problem.path("status").asInt() == status ? List.of()
                    : List.of(call + ": the problem says status " + problem.path("status"));
        }
        catch (RuntimeException e) {
            return List.of();   // the schema check reports a body that is not JSON
        }
    }

    /** The headers the document marks {@code required} on this response. */
    private static List<String> missingHeaders(String call, JsonNode response, HttpHeaders headers) {
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, JsonNode> header : response.path("headers").properties()) {
            if (resolve(header.getValue()).path("required").asBoolean(false) && !headers.containsHeader(header.getKey())) {
                missing.add(call + ": no " + header.getKey() + " header");
            }
        }
        return missing;
    }

    private static List<String> validate(String call, JsonNode schemaNode, byte[] body) {
        JsonNode value;
        try {
            value = JsonMapper.shared().readTree(body);
        }
        catch (RuntimeException e) {
            return List.of(call + ": body is not JSON: " + e.getMessage());
        }
        Schema schema = SCHEMAS.computeIfAbsent(schemaNode, ApiContract::schema);
        return schema.validate(value, context -> context.executionConfig(config -> config.formatAssertionsEnabled(true)))
                .stream().map(error -> call + ": " + error).toList();
    }

    /** A schema of the document, its {@code $ref}s resolved against the document's components. */
    private static Schema schema(JsonNode node) {
        ObjectNode root = JsonMapper.shared().createObjectNode();
        root.putArray("allOf").add(node);
        root.set("components", DOCUMENT.path("components"));
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(root);
    }

    private static void check(HttpMethod method, String path, int status, HttpHeaders headers, @Nullable MediaType type,
            byte @Nullable [] body) {
        List<String> violations = violations(method, path, status, headers, type, body);
        if (!violations.isEmpty()) {
            throw new AssertionError("The response breaks the OpenAPI document:\n  " + String.join("\n  ", violations));
        }
    }

    private static JsonNode resolve(JsonNode node) {
        JsonNode ref = node.path("$ref");
        return ref.isString() ? DOCUMENT.at(ref.asString().substring(1)) : node;
    }

    private static List<Operation> operations() {
        List<Operation> operations = new ArrayList<>();
        for (Map.Entry<String, JsonNode> path : DOCUMENT.path("paths").properties()) {
            Pattern pattern = Pattern.compile(path.getKey().replaceAll("\\{[^}]+}", "[^/]+"));
            for (Map.Entry<String, JsonNode> operation : path.getValue().properties()) {
                if (!operation.getKey().equals("parameters")) {
                    operations.add(new Operation(operation.getKey().toUpperCase(), path.getKey(), pattern, operation.getValue()));
                }
            }
        }
        return List.copyOf(operations);
    }

    private static JsonNode load() {
        try (InputStream in = ApiContract.class.getResourceAsStream("/contracts/wallet-api.openapi.yaml")) {
            if (in == null) {
                throw new IllegalStateException("contracts/wallet-api.openapi.yaml is not on the classpath");
            }
            return YAMLMapper.shared().readTree(in);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
