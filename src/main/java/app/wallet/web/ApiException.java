package app.wallet.web;

import java.util.List;

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

    public ApiException(ErrorCode code, String detail) {
        this(code, detail, List.of(), false);
    }

    public ApiException(ErrorCode code, String detail, List<FieldError> errors, boolean replayed) {
        super(detail, null, false, false);
        this.code = code;
        this.errors = List.copyOf(errors);
        this.replayed = replayed;
    }

    public static ApiException invalid(List<FieldError> errors) {
        return new ApiException(ErrorCode.INVALID_REQUEST, errors.get(0).field() + ": " + errors.get(0).message(),
                errors, false);
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
}
