package app.wallet.wallet;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import app.wallet.config.WalletProperties;
import app.wallet.security.Callers;
import app.wallet.store.Applied;
import app.wallet.web.ApiException;
import app.wallet.web.ErrorCode;
import app.wallet.web.Idempotency;
import app.wallet.web.JsonBodies;
import app.wallet.web.JsonFields;
import app.wallet.web.PathParams;
import app.wallet.web.Problem;
import app.wallet.web.ProblemResponses;

/**
 * {@code POST /api/v1/credits:batch}: up to 1,000 credits, each applied atomically and idempotently on its own
 * (its own Idempotency-Key, as if sent alone), all sent to Redis pipelined. Bad input anywhere refuses the
 * whole batch and changes nothing; a credit its script refuses is reported in its place.
 */
@Component
class CreditBatchHandler {

    static final int MAX_ITEMS = 1_000;
    /** 1,000 credits with the longest user ids, references and keys the API takes, escaped as JSON allows. */
    static final int MAX_BODY_BYTES = 2 * 1024 * 1024;
    private static final int MAX_REFERENCE_LENGTH = 128;

    private final WalletService wallets;
    private final BatchRecords records;
    private final JsonBodies bodies;
    private final WalletProperties properties;
    private final JsonMapper json;

    CreditBatchHandler(WalletService wallets, BatchRecords records, JsonBodies bodies, WalletProperties properties,
            JsonMapper json) {
        this.wallets = wallets;
        this.records = records;
        this.bodies = bodies;
        this.properties = properties;
        this.json = json;
    }

    /** One credit's result: {@code applied}, {@code replayed} or {@code refused} (with its problem). */
    record ItemResult(String userId, String idempotencyKey, String status, @Nullable Wallet wallet,
            @Nullable Problem problem) {
    }

    record BatchResult(int applied, int replayed, int refused, List<ItemResult> results) {
    }

    Mono<ServerResponse> credit(ServerRequest request) {
        return Callers.actor(request).flatMap(actor -> bodies.read(request, true, MAX_BODY_BYTES, "items").flatMap(fields -> {
            List<String> keys = new ArrayList<>();
            List<WalletService.Credit> credits = credits(fields, actor, keys);
            fields.check();
            List<Object> parts = new ArrayList<>(List.of("credit-batch"));
            for (int i = 0; i < credits.size(); i++) {
                WalletService.Credit credit = credits.get(i);
                parts.add(credit.userId());
                parts.add(credit.amount());
                parts.add(credit.reference());
                parts.add(keys.get(i));
            }
            return Idempotency.of(request, actor, parts.toArray())
                    .map(batch -> records.find(batch)
                            .flatMap(recorded -> replay(recorded, batch))
                            .switchIfEmpty(Mono.defer(() -> apply(credits, keys, actor)
                                    .flatMap(body -> records.save(batch, body).thenReturn(body))
                                    .flatMap(body -> answer(body, false)))))
                    .orElseGet(() -> apply(credits, keys, actor).flatMap(body -> answer(body, false)));
        }));
    }

    /** The credits of the body, and into {@code keys} each one's key as sent. */
    private List<WalletService.Credit> credits(JsonFields fields, String actor, List<String> keys) {
        List<WalletService.Credit> credits = new ArrayList<>();
        for (JsonFields item : fields.objects("items", MAX_ITEMS, "userId", "amount", "reference", "idempotencyKey")) {
            String userId = item.text("userId", 64, PathParams.USER_ID, PathParams.USER_ID_RULE);
            long amount = item.amount("amount", properties.maxAmount());
            String reference = item.optionalText("reference", MAX_REFERENCE_LENGTH);
            String key = item.text("idempotencyKey", 255, Idempotency.KEY, Idempotency.KEY_RULE);
            keys.add(key);
            // The same key and fingerprint as a single credit of the same request: either finds the other.
            credits.add(new WalletService.Credit(userId, amount, reference,
                    Idempotency.of(key, actor, "credit", userId, amount, reference)));
        }
        return credits;
    }

    private Mono<String> apply(List<WalletService.Credit> credits, List<String> keys, String actor) {
        return wallets.creditAll(credits, actor)
                .index()
                .map(indexed -> {
                    WalletService.CreditOutcome outcome = indexed.getT2();
                    WalletService.Credit credit = outcome.credit();
                    String key = keys.get(indexed.getT1().intValue());
                    Applied<Wallet> applied = outcome.applied();
                    if (applied != null) {
                        return new ItemResult(credit.userId(), key, applied.replayed() ? "replayed" : "applied",
                                applied.result(), null);
                    }
                    return new ItemResult(credit.userId(), key, "refused", null,
                            Problem.of(ProblemResponses.classify(outcome.refused())));
                })
                .collectList()
                .map(results -> json.writeValueAsString(new BatchResult(count(results, "applied"), count(results, "replayed"),
                        count(results, "refused"), results)));
    }

    private Mono<ServerResponse> replay(BatchRecords.Recorded recorded, Idempotency batch) {
        if (!recorded.fingerprint().equals(batch.fingerprint())) {
            return Mono.error(new ApiException(ErrorCode.IDEMPOTENCY_KEY_REUSED,
                    "This Idempotency-Key was used with a different batch"));
        }
        return answer(recorded.body(), true);
    }

    private static Mono<ServerResponse> answer(String body, boolean replayed) {
        ServerResponse.BodyBuilder response = ServerResponse.ok().contentType(MediaType.APPLICATION_JSON);
        if (replayed) {
            response.header(ProblemResponses.REPLAYED_HEADER, "true");
        }
        return response.bodyValue(body);
    }

    private static int count(List<ItemResult> results, String status) {
        return (int) results.stream().filter(result -> result.status().equals(status)).count();
    }
}
