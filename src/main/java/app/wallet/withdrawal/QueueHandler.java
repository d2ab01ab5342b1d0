package app.wallet.withdrawal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

import app.wallet.store.Page;
import app.wallet.store.WalletKeys;
import app.wallet.web.ApiException;
import app.wallet.web.Requests;

/** {@code GET /api/v1/withdrawals?status=&limit=&cursor=}: the operator queue ({@link WithdrawalQueue}). */
@Component
class QueueHandler {

    private final WithdrawalQueue queue;

    QueueHandler(WithdrawalQueue queue) {
        this.queue = queue;
    }

    Mono<ServerResponse> page(ServerRequest request) {
        String status = request.queryParam("status").orElse("PENDING");
        if (!WalletKeys.QUEUES.contains(status)) {
            throw ApiException.invalid("status", "must be one of " + String.join(", ", WalletKeys.QUEUES));
        }
        int limit = Requests.limit(request);
        String after = request.queryParam("cursor").map(QueueHandler::entryOf).orElse(null);
        return queue.page(status, limit, after)
                .map(page -> new Page<>(page.items(), cursorOf(page.nextCursor())))
                .flatMap(page -> ServerResponse.ok().bodyValue(page));
    }

    /** Opaque to clients: the queue entry it continues after, so its form can change without breaking them. */
    private static @Nullable String cursorOf(@Nullable String entry) {
        return entry == null ? null
                : Base64.getUrlEncoder().withoutPadding().encodeToString(entry.getBytes(StandardCharsets.UTF_8));
    }

    private static String entryOf(String cursor) {
        try {
            String entry = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (entry.indexOf(':') > 0 && WalletKeys.isId(WalletKeys.withdrawalIdOfQueueEntry(entry))
                    && Requests.USER_ID.matcher(WalletKeys.userIdOfQueueEntry(entry)).matches()) {
                return entry;
            }
        }
        catch (IllegalArgumentException notBase64) {
            // refused below
        }
        throw ApiException.invalid("cursor", "is not a cursor this service returned");
    }
}
