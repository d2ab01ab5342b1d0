package app.wallet.store;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The fields of a Redis stream entry as the scripts wrote them: numbers as decimal text, an absent
 * optional value as an empty string.
 *
 * @param kind what the entry is, for the message when a field is missing
 */
public record StreamEntry(String kind, Map<?, ?> fields) {

    public String text(String name) {
        Object value = fields.get(name);
        if (value == null) {
            throw new IllegalStateException(kind + " without " + name);
        }
        return value.toString();
    }

    public long number(String name) {
        return Long.parseLong(text(name));
    }

    /** A field that is absent or empty reads as null. */
    public @Nullable String optionalText(String name) {
        Object value = fields.get(name);
        return value == null || value.toString().isEmpty() ? null : value.toString();
    }
}
