package app.wallet.web;

/** One field of a request at fault, and why. */
public record FieldError(String field, String message) {
}
