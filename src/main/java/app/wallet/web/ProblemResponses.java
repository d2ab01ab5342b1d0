package app.wallet.web;

import java.util.List;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.http.HttpMethod;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import app.wallet.store.ChangeRefusedException;
import app.wallet.store.Refusal;
import app.wallet.store.RepliesOutOfStepException;

/**
 * The one place that turns failures into {@code application/problem+json} responses. Routers plug it in
 * with {@code onError}, since router functions are not seen by {@code @ControllerAdvice}.
 */
@Component
public class ProblemResponses {

    public static final String REPLAYED_HEADER = "Idempotent-Replayed";

    private static final Logger log = LoggerFactory.getLogger(ProblemResponses.class);
    private static final Pattern CONNECTION_LOST =
            Pattern.compile("not connected|^Connection (disconnected|closed|is closed)");
    /**
     * Error replies with which Redis says "not now": loading its data, running a long script, failing over,
     * a replica not yet promoted, too few replicas to accept a write, a slot now served by another node
     * (MOVED, ASK: the client's view of the cluster is behind). The command did not run, except for
     * NOREPLICAS from the replication wait, which follows a script that did: the retry settles that one.
     */
    private static final Pattern TRY_LATER =
            Pattern.compile("^(LOADING|BUSY|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|READONLY|NOREPLICAS|MOVED|ASK)( |$)");

    /**
     * Renders every failure of the routes it filters, including exceptions a handler throws before it
     * returns a {@code Mono}, which {@code onError} alone would let through.
     */
    public HandlerFilterFunction<ServerResponse, ServerResponse> asFilter() {
        return (request, next) -> Mono.defer(() -> next.handle(request))
                .onErrorResume(error -> render(error, request));
    }

    public Mono<ServerResponse> render(Throwable error, ServerRequest request) {
        ApiException problem = classifyAndLog(error, request.exchange());
        ServerResponse.BodyBuilder response = ServerResponse.status(problem.code().status())
                .contentType(MediaType.APPLICATION_PROBLEM_JSON);
        if (problem.replayed()) {
            response.header(REPLAYED_HEADER, "true");
        }
        return response.bodyValue(Problem.of(problem.code(), problem.getMessage(), problem.errors()));
    }

    /**
     * The problem a failure is answered with; the failures that are ours or Redis's are logged, with the
     * request's trace id.
     */
    static ApiException classifyAndLog(Throwable error, ServerWebExchange exchange) {
        ApiException problem = classify(error);
        if (problem.code() != ErrorCode.INTERNAL_ERROR && problem.code() != ErrorCode.SERVICE_UNAVAILABLE) {
            return problem;
        }
        HttpMethod method = exchange.getRequest().getMethod();
        String path = exchange.getRequest().getPath().value();
        try (RequestTraces.Scope traced = RequestTraces.inLogs(exchange)) {
            if (problem.code() == ErrorCode.INTERNAL_ERROR) {
                log.error("Unexpected failure on {} {}", method, path, error);
            }
            else {
                log.warn("Redis unavailable on {} {}: {}", method, path, error.toString());
            }
        }
        return problem;
    }

    /** The problem a failure is answered with. */
    public static ApiException classify(Throwable error) {
        if (error instanceof ApiException api) {
            return api;
        }
        if (error instanceof ChangeRefusedException refused) {
            return new ApiException(codeOf(refused.reason()), refused.getMessage(), List.of(), refused.replayed());
        }
        if (isRedisOutage(error)) {
            return new ApiException(ErrorCode.SERVICE_UNAVAILABLE,
                    "The wallet store is unreachable. A change is applied whole or not at all: retry with the same "
                            + "Idempotency-Key to apply it or learn that it was.");
        }
        if (hasCause(error, DataBufferLimitException.class)) {
            return new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "Request bodies are limited to 16 KiB (2 MiB for a batch of credits)");
        }
        if (error instanceof ResponseStatusException status) {
            return ofStatus(status.getStatusCode().value());
        }
        if (error instanceof InvalidMediaTypeException) {
            return ApiException.invalid("headers", "a media type header is malformed");
        }
        return new ApiException(ErrorCode.INTERNAL_ERROR, "The request could not be completed");
    }

    private static ErrorCode codeOf(Refusal refusal) {
        return switch (refusal) {
            case WALLET_NOT_FOUND -> ErrorCode.WALLET_NOT_FOUND;
            case INSUFFICIENT_BALANCE -> ErrorCode.INSUFFICIENT_BALANCE;
            case LIMIT_EXCEEDED -> ErrorCode.LIMIT_EXCEEDED;
            case WITHDRAWAL_NOT_FOUND -> ErrorCode.WITHDRAWAL_NOT_FOUND;
            case WITHDRAWAL_NOT_PENDING -> ErrorCode.WITHDRAWAL_NOT_PENDING;
            case IDEMPOTENCY_KEY_REUSED -> ErrorCode.IDEMPOTENCY_KEY_REUSED;
            // Asked only by the expiry sweep, never by a request: "not pending long enough", counted as such.
            case NOT_DUE -> ErrorCode.WITHDRAWAL_NOT_PENDING;
        };
    }

    /**
     * The framework's own refusals, by status alone: their reasons name parser classes and settings,
     * which are no business of a client's.
     */
    static ApiException ofStatus(int status) {
        return switch (status) {
            case 404 -> new ApiException(ErrorCode.NOT_FOUND, "No such resource");
            case 405 -> new ApiException(ErrorCode.METHOD_NOT_ALLOWED, "This resource does not take that method");
            case 406 -> new ApiException(ErrorCode.NOT_ACCEPTABLE, "Responses are application/json or application/problem+json");
            case 413 -> new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "Request bodies are limited to 16 KiB");
            case 415 -> new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Send the body as application/json");
            case 503 -> new ApiException(ErrorCode.SERVICE_UNAVAILABLE, "The service cannot answer now: retry later");
            default -> status >= 400 && status < 500
                    ? new ApiException(ErrorCode.INVALID_REQUEST, "The request could not be read")
                    : new ApiException(ErrorCode.INTERNAL_ERROR, "The request could not be completed");
        };
    }

    /**
     * A refused, lost, reset or timed-out connection, one whose replies came out of step with its
     * requests, or Redis saying it cannot serve yet. A script sent before the failure may still have run
     * whole (never half): the client learns the outcome by retrying with its idempotency key.
     */
    public static boolean isRedisOutage(Throwable error) {
        return hasCause(error, RedisConnectionFailureException.class)
                || hasCause(error, RepliesOutOfStepException.class)
                || hasCause(error, QueryTimeoutException.class)
                || hasCause(error, io.lettuce.core.RedisConnectionException.class)
                || hasCause(error, io.lettuce.core.RedisCommandTimeoutException.class)
                || hasCause(error, java.net.ConnectException.class)
                || redisSays(error);
    }

    /**
     * What Lettuce answers when the connection is gone: at once while it is down ("Currently not
     * connected"), for the commands that were in flight when it dropped ("Connection disconnected",
     * "Connection closed"), or with the socket's own error ("Connection reset by peer", an IOException
     * from the transport); and Redis's "try later" error replies. Lettuce has no exception type of its
     * own for most of these.
     */
    private static boolean redisSays(Throwable error) {
        boolean redis = false;
        for (Throwable t = error; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof io.lettuce.core.RedisException || t instanceof org.springframework.dao.DataAccessException) {
                redis = true;
                String message = String.valueOf(t.getMessage());
                if (t instanceof io.lettuce.core.RedisException && CONNECTION_LOST.matcher(message).find()
                        || TRY_LATER.matcher(message).find()) {
                    return true;
                }
            }
            else if (redis && t instanceof java.io.IOException) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasCause(Throwable error, Class<? extends Throwable> type) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
