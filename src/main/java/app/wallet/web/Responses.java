package app.wallet.web;

import java.net.URI;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

import app.wallet.store.Applied;

/** JSON responses to money changes, marking the ones an idempotency record replayed. */
public final class Responses {

    private Responses() {
    }

    public static Mono<ServerResponse> of(HttpStatus status, Applied<?> applied) {
        return of(status, applied, null);
    }

    public static Mono<ServerResponse> of(HttpStatus status, Applied<?> applied, @Nullable URI location) {
        ServerResponse.BodyBuilder response = ServerResponse.status(status).contentType(MediaType.APPLICATION_JSON);
        if (location != null) {
            response.location(location);
        }
        if (applied.replayed()) {
            response.header(ProblemResponses.REPLAYED_HEADER, "true");
        }
        return response.bodyValue(applied.result());
    }
}
