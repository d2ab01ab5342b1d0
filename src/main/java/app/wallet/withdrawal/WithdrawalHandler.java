package app.wallet.withdrawal;

import java.net.URI;
import java.util.Arrays;

import org.jspecify.annotations.Nullable;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

import app.wallet.config.WalletProperties;
import app.wallet.store.Scripts;
import app.wallet.store.WalletKeys;
import app.wallet.web.ApiException;
import app.wallet.web.Requests;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/**
 * The routes of a wallet's withdrawals and withdrawal policy, and of the operator queue of all wallets'
 * withdrawals, and their handling: parses and checks the requests; {@link WithdrawalService} does the work.
 */
@Configuration(proxyBeanMethods = false)
class WithdrawalHandler {

    private static final int MAX_REASON_LENGTH = 256;

    /** {@code {"amount": 8000}}. */
    record WithdrawalRequest(@Nullable Long amount) {
    }

    /** None, {@code {}} or {@code null}: an approval takes no fields. */
    record Approval() {
    }

    /** {@code {"reason": "..."}}, reason optional. */
    record Rejection(@Nullable String reason) {
    }

    private static final Validator NOTHING_TO_CHECK = Validator.forInstanceOf(Approval.class, (approval, errors) -> { });
    private static final Validator REJECTIONS = Validator.forInstanceOf(Rejection.class,
            (rejection, errors) -> Requests.text(errors, "reason", rejection.reason(), MAX_REASON_LENGTH));

    private static final int MAX_DAILY_COUNT = 1_000_000;

    /** A wallet's own policy, {@code 0} for "never" (no auto-approval, no withdrawal), null for the deployment's. */
    private static final Validator POLICIES = Validator.forInstanceOf(WithdrawalPolicies.Policy.class, (policy, errors) -> {
        limit(errors, "autoApproveMax", policy.autoApproveMax(), Scripts.MAX_MONEY);
        limit(errors, "dailyLimit", policy.dailyLimit(), Scripts.MAX_MONEY);
        limit(errors, "dailyCount", policy.dailyCount() == null ? null : policy.dailyCount().longValue(), MAX_DAILY_COUNT);
    });

    private final WithdrawalService withdrawals;
    private final WithdrawalPolicies policies;
    private final Requests requests;
    private final Validator requested;

    WithdrawalHandler(WithdrawalService withdrawals, WithdrawalPolicies policies, Requests requests,
            WalletProperties properties) {
        this.withdrawals = withdrawals;
        this.policies = policies;
        this.requests = requests;
        long maxAmount = properties.maxAmount();
        this.requested = Validator.forInstanceOf(WithdrawalRequest.class,
                (withdrawal, errors) -> Requests.amount(errors, "amount", withdrawal.amount(), maxAmount));
    }

    @Bean
    RouterFunction<ServerResponse> withdrawalRoutes(QueueHandler queue) {
        return route()
                .GET("/api/v1/withdrawals", queue::page)
                .GET("/api/v1/wallets/{userId}/policy", this::policy)
                .PUT("/api/v1/wallets/{userId}/policy", this::setPolicy)
                .path("/api/v1/wallets/{userId}/withdrawals", withdrawals -> withdrawals
                        .POST("/{withdrawalId}/approve", this::approve)
                        .POST("/{withdrawalId}/reject", this::reject)
                        .GET("/{withdrawalId}", this::get)
                        .POST("", this::request)
                        .GET("", this::list))
                .build();
    }

    Mono<ServerResponse> request(ServerRequest request) {
        String userId = Requests.userId(request);
        return Requests.actor(request).flatMap(actor -> requests.body(request, WithdrawalRequest.class, true, Requests.MAX_BODY_BYTES, requested)
                .flatMap(withdrawal -> withdrawals.request(userId, withdrawal.amount(), actor,
                        Requests.idempotency(request, actor, "withdraw", userId, withdrawal.amount()))))
                .flatMap(applied -> Requests.answer(HttpStatus.CREATED, applied,
                        URI.create("/api/v1/wallets/" + userId + "/withdrawals/" + applied.result().id())));
    }

    Mono<ServerResponse> approve(ServerRequest request) {
        String userId = Requests.userId(request);
        String withdrawalId = Requests.withdrawalId(request);
        return Requests.actor(request).flatMap(actor -> requests.body(request, Approval.class, false, Requests.MAX_BODY_BYTES, NOTHING_TO_CHECK)
                .flatMap(approval -> withdrawals.approve(userId, withdrawalId, actor,
                        Requests.idempotency(request, actor, "approve", userId, withdrawalId))))
                .flatMap(applied -> Requests.answer(HttpStatus.OK, applied, null));
    }

    Mono<ServerResponse> reject(ServerRequest request) {
        String userId = Requests.userId(request);
        String withdrawalId = Requests.withdrawalId(request);
        return Requests.actor(request).flatMap(actor -> requests.body(request, Rejection.class, false, Requests.MAX_BODY_BYTES, REJECTIONS)
                .flatMap(rejection -> withdrawals.reject(userId, withdrawalId, rejection.reason(), actor,
                        Requests.idempotency(request, actor, "reject", userId, withdrawalId, rejection.reason()))))
                .flatMap(applied -> Requests.answer(HttpStatus.OK, applied, null));
    }

    Mono<ServerResponse> get(ServerRequest request) {
        return withdrawals.find(Requests.userId(request), Requests.withdrawalId(request))
                .flatMap(withdrawal -> ServerResponse.ok().bodyValue(withdrawal));
    }

    Mono<ServerResponse> list(ServerRequest request) {
        String userId = Requests.userId(request);
        WithdrawalStatus status = request.queryParam("status").map(WithdrawalHandler::status).orElse(null);
        int limit = Requests.limit(request);
        String cursor = request.queryParam("cursor").orElse(null);
        if (cursor != null && !WalletKeys.isId(cursor)) {
            throw ApiException.invalid("cursor", "is not a cursor this service returned");
        }
        return withdrawals.list(userId, status, limit, cursor).flatMap(page -> ServerResponse.ok().bodyValue(page));
    }

    Mono<ServerResponse> policy(ServerRequest request) {
        return policies.find(Requests.userId(request)).flatMap(policy -> ServerResponse.ok().bodyValue(policy));
    }

    Mono<ServerResponse> setPolicy(ServerRequest request) {
        String userId = Requests.userId(request);
        return requests.body(request, WithdrawalPolicies.Policy.class, true, Requests.MAX_BODY_BYTES, POLICIES)
                .flatMap(policy -> policies.save(userId, policy))
                .flatMap(policy -> ServerResponse.ok().bodyValue(policy));
    }

    private static void limit(Errors errors, String field, @Nullable Long value, long max) {
        if (value != null && (value < 0 || value > max)) {
            errors.rejectValue(field, "range", "must be from 0 to " + max + ", or null for the deployment's");
        }
    }

    private static WithdrawalStatus status(String value) {
        return Arrays.stream(WithdrawalStatus.values())
                .filter(status -> status.name().equals(value))
                .findFirst()
                .orElseThrow(() -> ApiException.invalid("status", "must be one of PENDING, APPROVED, REJECTED"));
    }
}
