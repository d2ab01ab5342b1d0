package app.wallet.alert;

import java.net.URI;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

import app.wallet.store.Scripts;
import app.wallet.store.WalletKeys;
import app.wallet.web.ApiException;
import app.wallet.web.ErrorCode;
import app.wallet.web.Requests;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/** The routes of a wallet's balance alerts. */
@Configuration(proxyBeanMethods = false)
class AlertHandler {

    /** Names travel in change notices and events: no spaces, no separators. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    /** {@code {"name": "payout-ready", "field": "balance", "above": 10000}}, or {@code "below"} instead of {@code "above"}. */
    record NewAlert(@Nullable String name, @Nullable String field, @Nullable Long above, @Nullable Long below) {
    }

    private static final Validator NEW_ALERTS = Validator.forInstanceOf(NewAlert.class, AlertHandler::check);

    @Bean
    RouterFunction<ServerResponse> alertRoutes(Alerts alerts, Requests requests) {
        return route()
                .path("/api/v1/wallets/{userId}/alerts", routes -> routes
                        .POST("", request -> add(request, alerts, requests))
                        .GET("", request -> alerts.list(Requests.userId(request))
                                .flatMap(list -> ServerResponse.ok().bodyValue(list)))
                        .DELETE("/{alertId}", request -> remove(request, alerts)))
                .build();
    }

    private static Mono<ServerResponse> add(ServerRequest request, Alerts alerts, Requests requests) {
        String userId = Requests.userId(request);
        return requests.body(request, NewAlert.class, true, Requests.MAX_BODY_BYTES, NEW_ALERTS)
                .flatMap(alert -> alerts.add(userId, alert.name(), alert.field(), alert.above() != null ? "above" : "below",
                        alert.above() != null ? alert.above() : alert.below()))
                .flatMap(alert -> ServerResponse.created(URI.create("/api/v1/wallets/" + userId + "/alerts/" + alert.id()))
                        .bodyValue(alert));
    }

    private static Mono<ServerResponse> remove(ServerRequest request, Alerts alerts) {
        String userId = Requests.userId(request);
        String alertId = request.pathVariable("alertId");
        if (!WalletKeys.isId(alertId)) {
            throw new ApiException(ErrorCode.ALERT_NOT_FOUND, "No alert " + alertId);
        }
        return alerts.remove(userId, alertId).flatMap(removed -> removed ? ServerResponse.noContent().build()
                : Mono.error(new ApiException(ErrorCode.ALERT_NOT_FOUND, "No alert " + alertId)));
    }

    private static void check(NewAlert alert, Errors errors) {
        if (alert.name() == null) {
            errors.rejectValue("name", "required", "is required");
        }
        else if (!NAME.matcher(alert.name()).matches()) {
            errors.rejectValue("name", "pattern", "must match ^[A-Za-z0-9_.-]{1,64}$");
        }
        if (!"balance".equals(alert.field()) && !"pending".equals(alert.field())) {
            errors.rejectValue("field", "oneOf", "must be balance or pending");
        }
        if ((alert.above() == null) == (alert.below() == null)) {
            errors.rejectValue("above", "oneOf", "exactly one of above and below is required");
        }
        threshold(errors, "above", alert.above());
        threshold(errors, "below", alert.below());
    }

    private static void threshold(Errors errors, String field, @Nullable Long value) {
        if (value != null && (value < 0 || value > Scripts.MAX_MONEY)) {
            errors.rejectValue(field, "range", "must be from 0 to " + Scripts.MAX_MONEY);
        }
    }
}
