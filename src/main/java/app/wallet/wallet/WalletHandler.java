package app.wallet.wallet;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

import app.wallet.config.WalletProperties;
import app.wallet.security.Callers;
import app.wallet.web.ApiException;
import app.wallet.web.Idempotency;
import app.wallet.web.JsonBodies;
import app.wallet.web.PathParams;
import app.wallet.web.Responses;

/** Parses and checks wallet requests; {@link WalletService} does the work. */
@Component
class WalletHandler {

    private static final int MAX_REFERENCE_LENGTH = 128;

    private final WalletService wallets;
    private final JsonBodies bodies;
    private final WalletProperties properties;

    WalletHandler(WalletService wallets, JsonBodies bodies, WalletProperties properties) {
        this.wallets = wallets;
        this.bodies = bodies;
        this.properties = properties;
    }

    Mono<ServerResponse> get(ServerRequest request) {
        String userId = PathParams.userId(request);
        Instant at = request.queryParam("at").map(WalletHandler::instant).orElse(null);
        return (at == null ? wallets.find(userId) : wallets.findAt(userId, at))
                .flatMap(wallet -> ServerResponse.ok().bodyValue(wallet));
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
        String userId = PathParams.userId(request);
        return Callers.actor(request).flatMap(actor -> bodies.read(request, true, "amount", "reference").flatMap(fields -> {
            long amount = fields.amount("amount", properties.maxAmount());
            String reference = fields.optionalText("reference", MAX_REFERENCE_LENGTH);
            fields.check();
            return wallets.credit(userId, amount, reference, actor,
                    Idempotency.of(request, actor, "credit", userId, amount, reference));
        })).flatMap(applied -> Responses.of(HttpStatus.OK, applied));
    }
}
