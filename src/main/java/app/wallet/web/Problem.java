package app.wallet.web;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/** An RFC 9457 problem body with the API's stable {@code code} and, for bad fields, {@code errors}. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, String code,
        @Nullable List<FieldError> errors) {

    /** The problem a failure is answered with, as a value: a batch's refused item carries one. */
    public static Problem of(ApiException problem) {
        return of(problem.code(), problem.getMessage(), problem.errors());
    }

    static Problem of(ErrorCode code, String detail, List<FieldError> errors) {
        return new Problem("urn:problem-type:wallet:" + code.code(), code.title(), code.status().value(), detail,
                code.code(), errors);
    }
}
