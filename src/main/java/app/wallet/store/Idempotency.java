package app.wallet.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * An idempotency key and the fingerprint of the request it came with. The script that changes the money
 * compares fingerprints, so the same key with another request is refused.
 *
 * @param key the caller's key, 1 to 255 printable ASCII characters, prefixed with the caller: two callers
 *        sending the same key use two keys
 * @param fingerprint SHA-256 of the operation and its parsed, validated parameters
 */
public record Idempotency(String key, String fingerprint) {

    /** What a key may be, in a header or in a batch item. */
    public static final Pattern KEY = Pattern.compile("[\\x20-\\x7E]{1,255}");
    public static final String KEY_RULE = "must be 1 to 255 printable ASCII characters";

    /**
     * {@code key}, checked already ({@link #isValidKey}), with the fingerprint of {@code parts}: the parsed
     * values, so two bodies that differ only in spacing or field order count as the same request.
     */
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
        return new Idempotency(actor.length() + ":" + actor + "|" + key, sha256(canonical.toString()));
    }

    public static boolean isValidKey(@Nullable String key) {
        return key != null && KEY.matcher(key).matches();
    }

    /** SHA-256 of text, in lower-case hex: keys are client text, and only their digests reach Redis. */
    static String sha256(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
