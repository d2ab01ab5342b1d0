package app.wallet.web;

import java.net.URI;
import java.util.List;
import java.util.Map;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.handler.TracingObservationHandler;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import app.wallet.store.Refusal;
import app.wallet.store.StoreException;

/**
 * The one place that turns failures into {@code application/problem+json} (RFC 9457) answers with the
 * API's stable {@code code}, and, for bad fields, {@code errors}: what {@link ProblemExceptionHandler}
 * answers for every failure of a request, and what the request filters and authentication write when
 * they answer before any route does.
 */
@Component
public class Problems {

    private static final Logger log = LoggerFactory.getLogger(Problems.class);

    private final JsonMapper json;

    public Problems(JsonMapper json) {
        this.json = json;
    }

    /** Writes a problem straight to a response not yet committed. */
    public Mono<Void> write(ServerHttpResponse response, ApiException problem) {
        if (response.isCommitted()) {
            return Mono.empty();
        }
        response.setStatusCode(problem.code().status());
        HttpHeaders headers = response.getHeaders();
        headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        headers.remove(HttpHeaders.CONTENT_LENGTH);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(json.writeValueAsBytes(detail(problem)))));
    }

    /** The problem as a body, for answers that carry one inside another (a batch's refused item). */
    public static ProblemDetail detail(ApiException problem) {
        ProblemDetail detail = detail(problem.code(), problem.getMessage(), problem.errors());
        if (problem.remaining() != null) {
            detail.setProperty("remaining", problem.remaining());
        }
        return detail;
    }

    static ProblemDetail detail(ErrorCode code, String detail, List<ApiException.FieldError> errors) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(code.status(), detail);
        problem.setType(URI.create("urn:problem-type:wallet:" + code.code()));
        problem.setTitle(code.title());
        problem.setProperty("code", code.code());
        if (!errors.isEmpty()) {
            problem.setProperty("errors", errors);
        }
        return problem;
    }

    /**
     * The problem a failure is answered with; the failures that are ours or Redis's are logged, with the
     * request's trace id.
     */
    ApiException classifyAndLog(Throwable error, ServerWebExchange exchange) {
        ApiException problem = classify(error);
        if (problem.code() != ErrorCode.INTERNAL_ERROR && problem.code() != ErrorCode.SERVICE_UNAVAILABLE) {
            return problem;
        }
        HttpMethod method = exchange.getRequest().getMethod();
        String path = exchange.getRequest().getPath().value();
        // The request's trace in the logging context for these lines only; what it held before (another
        // request's ids left on this thread, say) is put back after.
        Map<String, String> before = MDC.getCopyOfContextMap();
        Span span = span(exchange);
        if (span != null && !span.context().traceId().isEmpty()) {
            MDC.put("traceId", span.context().traceId());
            MDC.put("spanId", span.context().spanId());
        }
        try {
            if (problem.code() == ErrorCode.INTERNAL_ERROR) {
                log.error("Unexpected failure on {} {}", method, path, error);
            }
            else {
                log.warn("Redis unavailable on {} {}: {}", method, path, error.toString());
            }
        }
        finally {
            MDC.setContextMap(before == null ? Map.of() : before);
        }
        return problem;
    }

    /** The problem a failure is answered with. */
    public static ApiException classify(Throwable error) {
        if (error instanceof ApiException api) {
            return api;
        }
        if (error instanceof StoreException.Refused refused) {
            return new ApiException(codeOf(refused.reason()), refused.getMessage(), List.of(), refused.replayed(),
                    refused.remaining());
        }
        if (StoreException.isUnavailable(error)) {
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
            case WITHDRAWAL_NOT_PENDING, NOT_DUE -> ErrorCode.WITHDRAWAL_NOT_PENDING;
            case IDEMPOTENCY_KEY_REUSED -> ErrorCode.IDEMPOTENCY_KEY_REUSED;
            case WITHDRAWAL_LIMIT_EXCEEDED -> ErrorCode.WITHDRAWAL_LIMIT_EXCEEDED;
            case TOO_MANY_ALERTS -> ErrorCode.TOO_MANY_ALERTS;
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

    /*
     * A request's trace and span ids in the logging context (the traceId and spanId that Spring Boot's log
     * pattern and structured formats print) for the lines logged about that request. Automatic context
     * propagation (spring.reactor.context-propagation=auto) would do it for every line on every thread, at
     * a measured quarter more CPU per change; the request's own observation is on its exchange.
     */
    private static @Nullable Span span(ServerWebExchange exchange) {
        ServerRequestObservationContext context = ServerRequestObservationContext.findCurrent(exchange.getAttributes()).orElse(null);
        TracingObservationHandler.TracingContext tracing =
                context == null ? null : context.get(TracingObservationHandler.TracingContext.class);
        return tracing == null ? null : tracing.getSpan();
    }

    private static boolean hasCause(Throwable error, Class<? extends Throwable> type) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
