package app.wallet.web;

import java.util.Optional;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.springframework.web.reactive.function.server.ServerRequest;

import app.wallet.store.Sha256;

/**
 * An {@code Idempotency-Key} and the fingerprint of the request it came with. The script that changes
 * the money compares fingerprints, so the same key with another request is refused.
 *
 * @param key the caller's key, 1 to 255 printable ASCII characters, prefixed with the caller: two callers
 *        sending the same key use two keys
 * @param fingerprint SHA-256 of the operation and its parsed, validated parameters
 */
public record Idempotency(String key, String fingerprint) {

    public static final String HEADER = "Idempotency-Key";
    /** What a key may be, in a header or in a batch item. */
    public static final Pattern KEY = Pattern.compile("[\\x20-\\x7E]{1,255}");
    public static final String KEY_RULE = "must be 1 to 255 printable ASCII characters";

    /**
     * The request's key with the fingerprint of {@code parts}, or empty without a key. The parts are the
     * parsed values, so two bodies that differ only in spacing or field order count as the same request.
     */
    public static Optional<Idempotency> of(ServerRequest request, String actor, @Nullable Object... parts) {
        String key = request.headers().firstHeader(HEADER);
        if (key == null) {
            return Optional.empty();
        }
        if (!isValidKey(key)) {
            throw ApiException.invalid(HEADER, KEY_RULE);
        }
        return Optional.of(of(key, actor, parts));
    }

    /** A key checked already ({@link #isValidKey}), from a request's body, with the fingerprint of {@code parts}. */
    public static Idempotency of(String key, String actor, @Nullable Object... parts) {
        StringBuilder canonical = new StringBuilder();
        for (Object part : parts) {
            // Length-prefixed so that ("ab", "c") and ("a", "bc") never collide; an absent part has
            // length -1, so a missing reference and the reference "null" differ.
            if (part == null) {
                canonical.append("-1:|");
            }
            else {
                String text = part.toString();
                canonical.append(text.length()).append(':').append(text).append('|');
            }
        }
        // Length-prefixed like the parts, so that no actor and key pair reads as another.
        return new Idempotency(actor.length() + ":" + actor + "|" + key, Sha256.hex(canonical.toString()));
    }

    public static boolean isValidKey(@Nullable String key) {
        return key != null && KEY.matcher(key).matches();
    }
}
