package app.wallet.alert;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * A balance alert: fires when a change moves {@code field} ({@code balance} or {@code pending}) above
 * {@code above} or below {@code below} (one of the two is set), and is {@code fired} until a later change
 * moves it back, which re-arms it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Alert(String id, String name, String field, @Nullable Long above, @Nullable Long below, String state) {

    public static final String ARMED = "armed";
    public static final String FIRED = "fired";

    /** An alert as the scripts store it: {@code <state>|<field>|<above|below>|<threshold>|<name>}. */
    public static Alert stored(String id, String record) {
        String[] parts = record.split("\\|", 5);
        if (parts.length != 5) {
            throw new IllegalStateException("Alert " + id + " is stored as '" + record + "'");
        }
        return of(id, parts[4], parts[1], parts[2], Long.parseLong(parts[3]), parts[0]);
    }

    /** An alert from its parts; {@code direction} is {@code above} or {@code below}. */
    public static Alert of(String id, String name, String field, String direction, long threshold, String state) {
        boolean above = "above".equals(direction);
        return new Alert(id, name, field, above ? threshold : null, above ? null : threshold, state);
    }
}
