package app.wallet.web;

import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.stereotype.Component;
import org.springframework.validation.DirectFieldBindingResult;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.LogicalType;

import app.wallet.store.Idempotency;
import app.wallet.store.ScriptOutcome.Applied;
import app.wallet.store.StoreException;
import app.wallet.store.WalletKeys;

/**
 * What a handler reads from a request, checked (the body as a request record, path variables, query
 * parameters, the caller and its Idempotency-Key), and its answer to a money change. Money must arrive exactly as the client wrote it, so
 * bodies are read by a strict mapper (no coercion of {@code "80"} or {@code 80.0} into 80, no unknown or
 * repeated field, nothing after the object) and then checked by the record's {@link Validator}.
 */
@Component
public class Requests {

    /** The contract's limit; enforced while reading, so a larger body is never held in memory. */
    public static final int MAX_BODY_BYTES = 16 * 1024;
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /** Marks an answer an idempotency record gave again. */
    public static final String REPLAYED = "Idempotent-Replayed";
    /** What a user id may be, wherever it comes from (a path, a batch item, a cursor): it becomes part of keys. */
    public static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    public static final String USER_ID_RULE = "must match ^[A-Za-z0-9_-]{1,64}$";
    /** The actor of requests served while authentication is switched off. */
    public static final String ANONYMOUS = "anonymous";

    private static final Pattern LIMIT = Pattern.compile("\\d{1,3}");

    private final JsonMapper strict = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .withCoercionConfig(LogicalType.Integer, config -> config
                    .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Textual, config -> config
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    /**
     * The body as {@code type}, checked by {@code validator}. An absent body, or a JSON {@code null} (what
     * generated clients send for an optional body left out), reads as {@code {}} unless {@code required}.
     */
    public <T> Mono<T> body(ServerRequest request, Class<T> type, boolean required, int maxBytes, Validator validator) {
        MediaType contentType;
        try {
            contentType = checkedContentType(request);
        }
        catch (ApiException e) {
            return Mono.error(e);
        }
        return DataBufferUtils.join(request.body(BodyExtractors.toDataBuffers()), maxBytes)
                .map(Requests::bytes)
                .defaultIfEmpty(new byte[0])
                .map(body -> validated(read(body, contentType, type, required), validator));
    }

    private <T> T read(byte[] body, @Nullable MediaType contentType, Class<T> type, boolean required) {
        if (isBlank(body)) {
            if (required) {
                throw ApiException.invalid("body", "a JSON object is required");
            }
            return strict.readValue("{}", type);
        }
        if (contentType == null) {
            throw new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Send the body with Content-Type: application/json");
        }
        T value;
        try {
            value = strict.readValue(body, type);
        }
        catch (UnrecognizedPropertyException e) {
            throw ApiException.invalid(path(e, e.getPropertyName()), "is not a field of this request");
        }
        catch (DatabindException e) {
            String field = path(e, null);
            throw ApiException.invalid(field == null ? "body" : field,
                    field == null ? "must be a JSON object" : "is not of the type this field takes");
        }
        catch (InputCoercionException e) {
            // A number too large for its field.
            String field = path(e, null);
            throw ApiException.invalid(field == null ? "body" : field, "is out of range");
        }
        catch (JacksonException e) {
            // The parser's own message names its classes and settings: only the place is passed on.
            TokenStreamLocation at = e.getLocation();
            throw ApiException.invalid("body", at == null || at.getLineNr() < 1 ? "is not valid JSON"
                    : "is not valid JSON (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")");
        }
        if (value == null) {
            if (required) {
                throw ApiException.invalid("body", "must be a JSON object");
            }
            return strict.readValue("{}", type);
        }
        return value;
    }

    /** {@code items[3].amount} for a failure inside a list; null for one at the top of the body. */
    private static @Nullable String path(JacksonException e, @Nullable String last) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : e.getPath()) {
            if (reference.getPropertyName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(reference.getPropertyName());
            }
            else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        if (last != null && !path.toString().endsWith(last)) {
            path.append(path.isEmpty() ? "" : ".").append(last);
        }
        return path.isEmpty() ? null : path.toString();
    }

    private static <T> T validated(T value, Validator validator) {
        Errors errors = new DirectFieldBindingResult(value, "body");
        validator.validate(value, errors);
        if (errors.hasErrors()) {
            List<ApiException.FieldError> faults = new ArrayList<>();
            errors.getFieldErrors().forEach(error -> faults.add(new ApiException.FieldError(error.getField(), String.valueOf(error.getDefaultMessage()))));
            throw ApiException.invalid(faults);
        }
        return value;
    }

    /** Strict: a byte sequence that is not UTF-8 is refused by the parser, never stored with replacement characters. */
    private static byte[] bytes(DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return bytes;
        }
        finally {
            DataBufferUtils.release(buffer);
        }
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return false;
            }
        }
        return true;
    }

    /** JSON in UTF-8, the only encoding JSON allows between systems (RFC 8259): any other charset is refused, not guessed. */
    private static @Nullable MediaType checkedContentType(ServerRequest request) {
        MediaType contentType;
        try {
            contentType = request.headers().contentType().orElse(null);
        }
        catch (InvalidMediaTypeException e) {
            throw new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Content-Type is not a valid media type: send application/json");
        }
        if (contentType == null) {
            return null;
        }
        if (!MediaType.APPLICATION_JSON.isCompatibleWith(contentType)
                && !("application".equals(contentType.getType()) && contentType.getSubtype().endsWith("+json"))) {
            throw new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Send the body as application/json");
        }
        String charset = contentType.getParameter("charset");
        if (charset != null && !isUtf8(charset)) {
            throw new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Send the body in UTF-8");
        }
        return contentType;
    }

    private static boolean isUtf8(String charset) {
        try {
            return StandardCharsets.UTF_8.equals(Charset.forName(charset.replace("\"", "")));
        }
        catch (IllegalArgumentException e) {
            return false;
        }
    }

    public static String userId(ServerRequest request) {
        String userId = request.pathVariable("userId");
        if (!USER_ID.matcher(userId).matches()) {
            throw ApiException.invalid("userId", USER_ID_RULE);
        }
        return userId;
    }

    /** An id the service cannot have made names no withdrawal: 404, as for an unknown one. */
    public static String withdrawalId(ServerRequest request) {
        String id = request.pathVariable("withdrawalId");
        if (!WalletKeys.isId(id)) {
            throw StoreException.Refused.noWithdrawal(id);
        }
        return id;
    }

    /** The {@code limit} query parameter: 1 to 100, 50 when absent. */
    public static int limit(ServerRequest request) {
        String value = request.queryParam("limit").orElse("50");
        if (!LIMIT.matcher(value).matches() || Integer.parseInt(value) < 1 || Integer.parseInt(value) > 100) {
            throw ApiException.invalid("limit", "must be an integer from 1 to 100");
        }
        return Integer.parseInt(value);
    }

    /** Who made the request, as recorded with the change it made and as the scope of its idempotency keys. */
    public static Mono<String> actor(ServerRequest request) {
        return request.principal().map(Requests::actor).defaultIfEmpty(ANONYMOUS);
    }

    /**
     * The token's subject; a client-credentials token without one is named by its client id
     * ({@code client_id}, RFC 9068, or {@code azp}).
     */
    static String actor(Principal principal) {
        if (principal instanceof JwtAuthenticationToken token) {
            Jwt jwt = token.getToken();
            for (String claim : new String[] {"sub", "client_id", "azp"}) {
                String value = jwt.getClaimAsString(claim);
                if (value != null && !value.isBlank()) {
                    return value;
                }
            }
            return "unidentified-client";
        }
        return principal.getName();
    }

    /**
     * The request's Idempotency-Key with the fingerprint of {@code parts} (the parsed values), or empty
     * without a key.
     */
    public static Optional<Idempotency> idempotency(ServerRequest request, String actor, @Nullable Object... parts) {
        String key = request.headers().firstHeader(IDEMPOTENCY_KEY);
        if (key == null) {
            return Optional.empty();
        }
        if (!Idempotency.isValidKey(key)) {
            throw ApiException.invalid(IDEMPOTENCY_KEY, Idempotency.KEY_RULE);
        }
        return Optional.of(Idempotency.of(key, actor, parts));
    }

    /** The answer to a money change: its result as JSON, marked if an idempotency record replayed it. */
    public static Mono<ServerResponse> answer(HttpStatus status, Applied<?> applied, @Nullable URI location) {
        ServerResponse.BodyBuilder response = ServerResponse.status(status).contentType(MediaType.APPLICATION_JSON);
        if (location != null) {
            response.location(location);
        }
        if (applied.replayed()) {
            response.header(REPLAYED, "true");
        }
        return response.bodyValue(applied.result());
    }

    /** A text field's checks: at most {@code maxLength} characters of valid Unicode. */
    public static void text(Errors errors, String field, @Nullable String value, int maxLength) {
        if (value == null) {
            return;
        }
        if (value.codePoints().anyMatch(point -> Character.getType(point) == Character.SURROGATE)) {
            // A JSON escape such as \ud800 that names half a character: it cannot be stored as UTF-8.
            errors.rejectValue(field, "unicode", "must be valid Unicode text");
        }
        else if (value.codePointCount(0, value.length()) > maxLength) {
            errors.rejectValue(field, "length", "must be at most " + maxLength + " characters");
        }
    }

    /** An amount's checks: present, from 1 to {@code max} minor units. */
    public static void amount(Errors errors, String field, @Nullable Long value, long max) {
        if (value == null) {
            errors.rejectValue(field, "required", "is required");
        }
        else if (value < 1) {
            errors.rejectValue(field, "min", "must be at least 1");
        }
        else if (value > max) {
            errors.rejectValue(field, "max", "must be at most " + max);
        }
    }

}
