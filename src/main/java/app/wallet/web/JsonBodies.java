package app.wallet.web;

import java.nio.charset.StandardCharsets;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
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

    /** The body's fields, allowing only {@code allowed}; an absent body reads as {@code {}} unless required. */
    public Mono<JsonFields> read(ServerRequest request, boolean required, String... allowed) {
        MediaType contentType = request.headers().contentType().orElse(null);
        if (contentType != null && !isJson(contentType)) {
            return Mono.error(new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                    "Send the body as application/json, not " + contentType));
        }
        return DataBufferUtils.join(request.body(BodyExtractors.toDataBuffers()), MAX_BODY_BYTES)
                .map(JsonBodies::utf8)
                .defaultIfEmpty("")
                .map(body -> new JsonFields(parse(body, contentType, required), allowed));
    }

    private static String utf8(DataBuffer buffer) {
        try {
            return buffer.toString(StandardCharsets.UTF_8);
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
            throw ApiException.invalid("body", "is not valid JSON: " + e.getOriginalMessage());
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
