package app.wallet.web;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads request bodies as JSON trees, strictly: money must arrive exactly as the client wrote it, so a
 * body is parsed here and each field checked by {@link JsonFields} instead of being coerced by data
 * binding (which would turn {@code "80"} or {@code 80.0} into 80).
 */
@Component
public class JsonBodies {

    /** The contract's limit; enforced while reading, so a larger body is never held in memory. */
    static final int MAX_BODY_BYTES = 16 * 1024;

    private final JsonMapper mapper = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /**
     * The body's fields, allowing only {@code allowed}; an absent body, or a JSON {@code null}, reads as
     * {@code {}} unless required.
     */
    public Mono<JsonFields> read(ServerRequest request, boolean required, String... allowed) {
        return read(request, required, MAX_BODY_BYTES, allowed);
    }

    /** As {@link #read(ServerRequest, boolean, String...)}, for a route that takes bodies up to {@code maxBytes}. */
    public Mono<JsonFields> read(ServerRequest request, boolean required, int maxBytes, String... allowed) {
        MediaType contentType;
        try {
            contentType = checkedContentType(request);
        }
        catch (ApiException e) {
            return Mono.error(e);
        }
        return DataBufferUtils.join(request.body(BodyExtractors.toDataBuffers()), maxBytes)
                .map(JsonBodies::utf8)
                .defaultIfEmpty("")
                .map(body -> new JsonFields(parse(body, contentType, required), allowed));
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
        if (!isJson(contentType)) {
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
            return StandardCharsets.UTF_8.equals(java.nio.charset.Charset.forName(charset.replace("\"", "")));
        }
        catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Strict: a byte sequence that is not UTF-8 is refused, never stored with replacement characters. */
    private static String utf8(DataBuffer buffer) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(buffer.toByteBuffer())
                    .toString();
        }
        catch (CharacterCodingException e) {
            throw ApiException.invalid("body", "is not valid UTF-8");
        }
        finally {
            DataBufferUtils.release(buffer);
        }
    }

    private JsonNode parse(String body, MediaType contentType, boolean required) {
        if (body.isBlank()) {
            if (required) {
                throw ApiException.invalid("body", "a JSON object is required");
            }
            return mapper.createObjectNode();
        }
        if (contentType == null) {
            throw new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Send the body with Content-Type: application/json");
        }
        JsonNode node;
        try {
            node = mapper.readTree(body);
        }
        catch (JacksonException e) {
            // The parser's own message names its classes and settings: only the place is passed on.
            TokenStreamLocation at = e.getLocation();
            throw ApiException.invalid("body", at == null || at.getLineNr() < 1 ? "is not valid JSON"
                    : "is not valid JSON (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")");
        }
        if (node.isNull() && !required) {
            // What generated clients send for an optional body left out (approve, reject): no body.
            return mapper.createObjectNode();
        }
        if (!node.isObject()) {
            throw ApiException.invalid("body", "must be a JSON object");
        }
        return node;
    }

    private static boolean isJson(MediaType type) {
        return MediaType.APPLICATION_JSON.isCompatibleWith(type)
                || ("application".equals(type.getType()) && type.getSubtype().endsWith("+json"));
    }
}
