package app.wallet.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** The fields of one JSON request body, checked one by one; every fault is collected before refusing. */
public final class JsonFields {

    private final JsonNode body;
    private final List<FieldError> errors = new ArrayList<>();

    JsonFields(JsonNode body, String... allowed) {
        this.body = body;
        Set<String> known = Set.of(allowed);
        for (String name : body.propertyNames()) {
            if (!known.contains(name)) {
                errors.add(new FieldError(name, "is not a field of this request"));
            }
        }
    }

    /** A required amount: a JSON integer from 1 to {@code max}; anything else is recorded as a fault. */
    public long amount(String field, long max) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return fault(field, "is required");
        }
        if (!node.isIntegralNumber()) {
            return fault(field, "must be an integer number of minor units");
        }
        if (!node.canConvertToLong() || node.longValue() > max) {
            return fault(field, "must be at most " + max);
        }
        if (node.longValue() < 1) {
            return fault(field, "must be at least 1");
        }
        return node.longValue();
    }

    /** An optional string of at most {@code maxLength} characters; JSON null counts as absent. */
    public @Nullable String optionalText(String field, int maxLength) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isString()) {
            fault(field, "must be a string");
            return null;
        }
        String value = node.stringValue();
        if (hasLoneSurrogate(value)) {
            // A JSON escape such as \ud800 that names half a character: it cannot be stored as UTF-8.
            fault(field, "must be valid Unicode text");
            return null;
        }
        if (value.codePointCount(0, value.length()) > maxLength) {
            fault(field, "must be at most " + maxLength + " characters");
            return null;
        }
        return value;
    }

    /** Refuses the request if any field was at fault. */
    public void check() {
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
    }

    private static boolean hasLoneSurrogate(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            }
            else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private long fault(String field, String message) {
        errors.add(new FieldError(field, message));
        return 0;
    }
}
