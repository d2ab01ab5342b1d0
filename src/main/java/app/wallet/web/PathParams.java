package app.wallet.web;

import java.util.regex.Pattern;

import org.springframework.web.reactive.function.server.ServerRequest;

import app.wallet.store.TimeOrderedIds;

/** Checked path variables: a user id becomes part of Redis keys, so only the safe alphabet passes. */
public final class PathParams {

    /** What a user id may be, wherever it comes from (a path, a batch item, a cursor). */
    public static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    public static final String USER_ID_RULE = "must match ^[A-Za-z0-9_-]{1,64}$";

    private PathParams() {
    }

    public static String userId(ServerRequest request) {
        String userId = request.pathVariable("userId");
        if (!USER_ID.matcher(userId).matches()) {
            throw ApiException.invalid("userId", USER_ID_RULE);
        }
        return userId;
    }

    /** An id the service cannot have made names no withdrawal: 404, as for an unknown one. */
    public static String withdrawalId(ServerRequest request) {
        String id = request.pathVariable("withdrawalId");
        if (!TimeOrderedIds.isValid(id)) {
            throw new ApiException(ErrorCode.WITHDRAWAL_NOT_FOUND, "No withdrawal " + id);
        }
        return id;
    }

    /** The {@code limit} query parameter: 1 to 100, 50 when absent. */
    public static int limit(ServerRequest request) {
        String value = request.queryParam("limit").orElse("50");
        if (!value.matches("\\d{1,3}") || Integer.parseInt(value) < 1 || Integer.parseInt(value) > 100) {
            throw ApiException.invalid("limit", "must be an integer from 1 to 100");
        }
        return Integer.parseInt(value);
    }
}
