package app.wallet.wallet;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

import org.jspecify.annotations.Nullable;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.validation.Validator;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

import app.wallet.config.WalletProperties;
import app.wallet.web.ApiException;
import app.wallet.web.Requests;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/**
 * The routes of the wallet itself, reading it and crediting it (alone or in batches), and their handling:
 * parses and checks the requests; {@link WalletService} does the work.
 */
@Configuration(proxyBeanMethods = false)
class WalletHandler {

    static final int MAX_REFERENCE_LENGTH = 128;

    /** {@code {"amount": 10000, "reference": "order-17"}}, reference optional. */
    record CreditRequest(@Nullable Long amount, @Nullable String reference) {
    }

    private final WalletService wallets;
    private final Requests requests;
    private final Validator credits;

    WalletHandler(WalletService wallets, Requests requests, WalletProperties properties) {
        this.wallets = wallets;
        this.requests = requests;
        long maxAmount = properties.maxAmount();
        this.credits = Validator.forInstanceOf(CreditRequest.class, (credit, errors) -> {
            Requests.amount(errors, "amount", credit.amount(), maxAmount);
            Requests.text(errors, "reference", credit.reference(), MAX_REFERENCE_LENGTH);
        });
    }

    @Bean
    RouterFunction<ServerResponse> walletRoutes(CreditBatchHandler batch) {
        return route()
                .POST("/api/v1/credits:batch", batch::credit)
                .path("/api/v1/wallets", wallets -> wallets
                        .GET("/{userId}", this::get)
                        .POST("/{userId}/credits", this::credit))
                .build();
    }

    Mono<ServerResponse> get(ServerRequest request) {
        String userId = Requests.userId(request);
        Instant at = request.queryParam("at").map(WalletHandler::instant).orElse(null);
        return (at == null ? wallets.find(userId) : wallets.findAt(userId, at))
                .flatMap(wallet -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(wallet));
    }

    /** An ISO-8601 instant with its offset ({@code 2026-11-25T06:00:00Z}, {@code ...+01:00}). */
    private static Instant instant(String value) {
        try {
            return OffsetDateTime.parse(value).toInstant();
        }
        catch (DateTimeParseException e) {
            throw ApiException.invalid("at", "must be an ISO-8601 instant with an offset, e.g. 2026-11-25T06:00:00Z");
        }
    }

    Mono<ServerResponse> credit(ServerRequest request) {
        String userId = Requests.userId(request);
        return Requests.actor(request).flatMap(actor -> requests.body(request, CreditRequest.class, true, Requests.MAX_BODY_BYTES, credits)
                .flatMap(credit -> wallets.credit(userId, credit.amount(), credit.reference(), actor,
                        Requests.idempotency(request, actor, "credit", userId, credit.amount(), credit.reference()))))
                .flatMap(applied -> Requests.answer(HttpStatus.OK, applied, null));
    }
}
