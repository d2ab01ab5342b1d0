package app.wallet.wallet;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

import app.wallet.config.WalletProperties;
import app.wallet.security.Callers;
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
        return wallets.find(PathParams.userId(request)).flatMap(wallet -> ServerResponse.ok().bodyValue(wallet));
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
