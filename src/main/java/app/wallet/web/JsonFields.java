package app.wallet.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** The fields of one JSON request body, checked one by one; every fault is collected before refusing. */
public final class JsonFields {

    private final JsonNode body;
    /** Shared by the fields of the objects of a list and their parent: one check covers them all. */
    private final List<FieldError> errors;
    /** Names this object's fields in faults: "" for the body, {@code items[3].} for an object of a list. */
    private final String prefix;

    JsonFields(JsonNode body, String... allowed) {
        this(body, "", new ArrayList<>(), allowed);
    }

    private JsonFields(JsonNode body, String prefix, List<FieldError> errors, String... allowed) {
        this.body = body;
        this.prefix = prefix;
        this.errors = errors;
        Set<String> known = Set.of(allowed);
        for (String name : body.propertyNames()) {
            if (!known.contains(name)) {
                errors.add(new FieldError(prefix + name, "is not a field of this request"));
            }
        }
    }

    /**
     * A required list of 1 to {@code maxItems} objects, each with only the fields {@code allowed}; their
     * faults are named {@code field[i].name} and refused by this body's {@link #check()}.
     */
    public List<JsonFields> objects(String field, int maxItems, String... allowed) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            fault(field, "is required");
            return List.of();
        }
        if (!node.isArray() || node.isEmpty() || node.size() > maxItems) {
            fault(field, "must be a list of 1 to " + maxItems + " objects");
            return List.of();
        }
        List<JsonFields> objects = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            String name = field + "[" + i + "]";
            if (!node.get(i).isObject()) {
                fault(name, "must be an object");
            }
            else {
                objects.add(new JsonFields(node.get(i), prefix + name + ".", errors, allowed));
            }
        }
        return objects;
    }

    /** A required string of 1 to {@code maxLength} characters matching {@code pattern}, described by {@code rule}. */
    public String text(String field, int maxLength, Pattern pattern, String rule) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            fault(field, "is required");
            return "";
        }
        String value = optionalText(field, maxLength);
        if (value != null && !pattern.matcher(value).matches()) {
            fault(field, rule);
        }
        return value == null ? "" : value;
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
        errors.add(new FieldError(prefix + field, message));
        return 0;
    }
}
