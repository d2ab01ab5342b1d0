package app.wallet.withdrawal;

import java.net.URI;
import java.util.Arrays;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

import app.wallet.config.WalletProperties;
import app.wallet.security.Callers;
import app.wallet.store.TimeOrderedIds;
import app.wallet.web.ApiException;
import app.wallet.web.Idempotency;
import app.wallet.web.JsonBodies;
import app.wallet.web.PathParams;
import app.wallet.web.Responses;

/** Parses and checks withdrawal requests; {@link WithdrawalService} does the work. */
@Component
class WithdrawalHandler {

    private static final int MAX_REASON_LENGTH = 256;

    private final WithdrawalService withdrawals;
    private final JsonBodies bodies;
    private final WalletProperties properties;

    WithdrawalHandler(WithdrawalService withdrawals, JsonBodies bodies, WalletProperties properties) {
        this.withdrawals = withdrawals;
        this.bodies = bodies;
        this.properties = properties;
    }

    Mono<ServerResponse> request(ServerRequest request) {
        String userId = PathParams.userId(request);
        return Callers.actor(request).flatMap(actor -> bodies.read(request, true, "amount").flatMap(fields -> {
            long amount = fields.amount("amount", properties.maxAmount());
            fields.check();
            return withdrawals.request(userId, amount, actor, Idempotency.of(request, actor, "withdraw", userId, amount));
        })).flatMap(applied -> Responses.of(HttpStatus.CREATED, applied,
                URI.create("/api/v1/wallets/" + userId + "/withdrawals/" + applied.result().id())));
    }

    Mono<ServerResponse> approve(ServerRequest request) {
        String userId = PathParams.userId(request);
        String withdrawalId = PathParams.withdrawalId(request);
        return Callers.actor(request).flatMap(actor -> bodies.read(request, false).flatMap(fields -> {
            fields.check();
            return withdrawals.approve(userId, withdrawalId, actor,
                    Idempotency.of(request, actor, "approve", userId, withdrawalId));
        })).flatMap(applied -> Responses.of(HttpStatus.OK, applied));
    }

    Mono<ServerResponse> reject(ServerRequest request) {
        String userId = PathParams.userId(request);
        String withdrawalId = PathParams.withdrawalId(request);
        return Callers.actor(request).flatMap(actor -> bodies.read(request, false, "reason").flatMap(fields -> {
            String reason = fields.optionalText("reason", MAX_REASON_LENGTH);
            fields.check();
            return withdrawals.reject(userId, withdrawalId, reason, actor,
                    Idempotency.of(request, actor, "reject", userId, withdrawalId, reason));
        })).flatMap(applied -> Responses.of(HttpStatus.OK, applied));
    }

    Mono<ServerResponse> get(ServerRequest request) {
        return withdrawals.find(PathParams.userId(request), PathParams.withdrawalId(request))
                .flatMap(withdrawal -> ServerResponse.ok().bodyValue(withdrawal));
    }

    Mono<ServerResponse> list(ServerRequest request) {
        String userId = PathParams.userId(request);
        WithdrawalStatus status = request.queryParam("status").map(WithdrawalHandler::status).orElse(null);
        int limit = PathParams.limit(request);
        String cursor = request.queryParam("cursor").orElse(null);
        if (cursor != null && !TimeOrderedIds.isValid(cursor)) {
            throw ApiException.invalid("cursor", "is not a cursor this service returned");
        }
        return withdrawals.list(userId, status, limit, cursor).flatMap(page -> ServerResponse.ok().bodyValue(page));
    }

    private static WithdrawalStatus status(String value) {
        return Arrays.stream(WithdrawalStatus.values())
                .filter(status -> status.name().equals(value))
                .findFirst()
                .orElseThrow(() -> ApiException.invalid("status", "must be one of PENDING, APPROVED, REJECTED"));
    }
}
