package app.wallet.web;

import org.springframework.http.HttpStatus;

/** The stable, machine-readable problem codes of the API and the status each one carries. */
public enum ErrorCode {
    INVALID_REQUEST(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request"),
    UNAUTHORIZED(HttpStatus.UNAUTHORIZED, "unauthorized", "Unauthorized"),
    FORBIDDEN(HttpStatus.FORBIDDEN, "forbidden", "Forbidden"),
    NOT_FOUND(HttpStatus.NOT_FOUND, "not-found", "Not found"),
    METHOD_NOT_ALLOWED(HttpStatus.METHOD_NOT_ALLOWED, "method-not-allowed", "Method not allowed"),
    NOT_ACCEPTABLE(HttpStatus.NOT_ACCEPTABLE, "not-acceptable", "Not acceptable"),
    WALLET_NOT_FOUND(HttpStatus.NOT_FOUND, "wallet-not-found", "Wallet not found"),
    WITHDRAWAL_NOT_FOUND(HttpStatus.NOT_FOUND, "withdrawal-not-found", "Withdrawal not found"),
    ALERT_NOT_FOUND(HttpStatus.NOT_FOUND, "alert-not-found", "Alert not found"),
    WITHDRAWAL_NOT_PENDING(HttpStatus.CONFLICT, "withdrawal-not-pending", "Withdrawal is not pending"),
    PAYLOAD_TOO_LARGE(HttpStatus.CONTENT_TOO_LARGE, "payload-too-large", "Payload too large"),
    URI_TOO_LONG(HttpStatus.URI_TOO_LONG, "uri-too-long", "URI too long"),
    HEADERS_TOO_LARGE(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers-too-large", "Request header fields too large"),
    UNSUPPORTED_MEDIA_TYPE(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Unsupported media type"),
    INSUFFICIENT_BALANCE(HttpStatus.UNPROCESSABLE_CONTENT, "insufficient-balance", "Insufficient balance"),
    LIMIT_EXCEEDED(HttpStatus.UNPROCESSABLE_CONTENT, "limit-exceeded", "Limit exceeded"),
    IDEMPOTENCY_KEY_REUSED(HttpStatus.UNPROCESSABLE_CONTENT, "idempotency-key-reused", "Idempotency key reused"),
    WITHDRAWAL_LIMIT_EXCEEDED(HttpStatus.UNPROCESSABLE_CONTENT, "withdrawal-limit-exceeded", "Withdrawal limit exceeded"),
    TOO_MANY_ALERTS(HttpStatus.UNPROCESSABLE_CONTENT, "too-many-alerts", "Too many alerts"),
    SERVICE_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "service-unavailable", "Service unavailable"),
    INTERNAL_ERROR(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error", "Internal error");

    private final HttpStatus status;
    private final String code;
    private final String title;

    ErrorCode(HttpStatus status, String code, String title) {
        this.status = status;
        this.code = code;
        this.title = title;
    }

    public HttpStatus status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String title() {
        return title;
    }
}
