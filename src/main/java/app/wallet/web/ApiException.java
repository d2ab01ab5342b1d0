package app.wallet.web;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A request the service refuses, with the problem code to answer it with. {@code replayed} marks a
 * refusal that an idempotency record returned again, so the response says so.
 */
public final class ApiException extends RuntimeException {

    /** A bad field of a request and what is wrong with it. */
    public record FieldError(String field, String message) {
    }

    private final ErrorCode code;
    private final List<FieldError> errors;
    private final boolean replayed;
    private final @Nullable Object remaining;

    public ApiException(ErrorCode code, String detail) {
        this(code, detail, List.of(), false, null);
    }

    /** {@code remaining}: what a limit still allows, answered with the problem. */
    public ApiException(ErrorCode code, String detail, List<FieldError> errors, boolean replayed, @Nullable Object remaining) {
        super(detail, null, false, false);
        this.code = code;
        this.errors = List.copyOf(errors);
        this.replayed = replayed;
        this.remaining = remaining;
    }

    public static ApiException invalid(List<FieldError> errors) {
        return new ApiException(ErrorCode.INVALID_REQUEST, errors.get(0).field() + ": " + errors.get(0).message(),
                errors, false, null);
    }

    public static ApiException invalid(String field, String message) {
        return invalid(List.of(new FieldError(field, message)));
    }

    public ErrorCode code() {
        return code;
    }

    public List<FieldError> errors() {
        return errors;
    }

    public boolean replayed() {
        return replayed;
    }

    public @Nullable Object remaining() {
        return remaining;
    }
}
