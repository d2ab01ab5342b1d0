package app.wallet.ledger;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

import app.wallet.web.ApiException;
import app.wallet.web.Requests;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/** The routes of a wallet's transactions, its ledger, and of checking its chain. */
@Configuration(proxyBeanMethods = false)
class LedgerRouter {

    @Bean
    RouterFunction<ServerResponse> ledgerRoutes(LedgerService ledger) {
        return route()
                .GET("/api/v1/wallets/{userId}/transactions/verify", request -> ledger.verify(Requests.userId(request))
                        .flatMap(report -> ServerResponse.ok().bodyValue(report)))
                .GET("/api/v1/wallets/{userId}/transactions", request -> transactions(ledger, request))
                .build();
    }

    private static Mono<ServerResponse> transactions(LedgerService ledger, ServerRequest request) {
        String userId = Requests.userId(request);
        int limit = Requests.limit(request);
        String cursor = request.queryParam("cursor").map(LedgerRouter::checkedCursor).orElse(null);
        return ledger.page(userId, limit, cursor).flatMap(page -> ServerResponse.ok().bodyValue(page));
    }

    /**
     * A cursor is a stream entry id, two unsigned 64-bit numbers; {@code 0-0} precedes every entry, so
     * Redis refuses it as an exclusive bound.
     */
    private static String checkedCursor(String cursor) {
        String[] parts = cursor.split("-", -1);
        try {
            if (parts.length == 2 && parts[0].matches("\\d{1,20}") && parts[1].matches("\\d{1,20}")
                    && (Long.parseUnsignedLong(parts[0]) | Long.parseUnsignedLong(parts[1])) != 0) {
                return cursor;
            }
        }
        catch (NumberFormatException e) {
            // above 2^64 - 1: not a cursor either
        }
        throw ApiException.invalid("cursor", "is not a cursor this service returned");
    }
}
