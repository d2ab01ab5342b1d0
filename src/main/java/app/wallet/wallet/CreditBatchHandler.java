package app.wallet.wallet;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.validation.Validator;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import app.wallet.config.WalletProperties;
import app.wallet.store.Idempotency;
import app.wallet.store.ScriptOutcome.Applied;
import app.wallet.web.ApiException;
import app.wallet.web.ErrorCode;
import app.wallet.web.Problems;
import app.wallet.web.Requests;

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

    /** {@code {"items": [{"userId", "amount", "reference", "idempotencyKey"}, ...]}}. */
    record Batch(@Nullable List<@Nullable Item> items) {
    }

    record Item(@Nullable String userId, @Nullable Long amount, @Nullable String reference, @Nullable String idempotencyKey) {
    }

    private final WalletService wallets;
    private final BatchRecords records;
    private final Requests requests;
    private final JsonMapper json;
    private final Validator batches;

    CreditBatchHandler(WalletService wallets, BatchRecords records, Requests requests, WalletProperties properties,
            JsonMapper json) {
        this.wallets = wallets;
        this.records = records;
        this.requests = requests;
        this.json = json;
        long maxAmount = properties.maxAmount();
        this.batches = Validator.forInstanceOf(Batch.class, (batch, errors) -> {
            List<@Nullable Item> items = batch.items();
            if (items == null || items.isEmpty() || items.size() > MAX_ITEMS) {
                errors.rejectValue("items", "size", "must be a list of 1 to " + MAX_ITEMS + " objects");
                return;
            }
            for (int i = 0; i < items.size(); i++) {
                Item item = items.get(i);
                if (item == null) {
                    errors.rejectValue("items[" + i + "]", "required", "must be an object");
                    continue;
                }
                errors.pushNestedPath("items[" + i + "]");
                required(errors, "userId", item.userId(), Requests.USER_ID.matcher(String.valueOf(item.userId())).matches(),
                        Requests.USER_ID_RULE);
                Requests.amount(errors, "amount", item.amount(), maxAmount);
                Requests.text(errors, "reference", item.reference(), WalletHandler.MAX_REFERENCE_LENGTH);
                required(errors, "idempotencyKey", item.idempotencyKey(), Idempotency.isValidKey(item.idempotencyKey()),
                        Idempotency.KEY_RULE);
                errors.popNestedPath();
            }
        });
    }

    private static void required(org.springframework.validation.Errors errors, String field, @Nullable String value,
            boolean valid, String rule) {
        if (value == null) {
            errors.rejectValue(field, "required", "is required");
        }
        else if (!valid) {
            errors.rejectValue(field, "pattern", rule);
        }
    }

    /** One credit's result: {@code applied}, {@code replayed} or {@code refused} (with its problem). */
    record ItemResult(String userId, String idempotencyKey, String status, @Nullable Wallet wallet,
            @Nullable ProblemDetail problem) {
    }

    record BatchResult(int applied, int replayed, int refused, List<ItemResult> results) {
    }

    Mono<ServerResponse> credit(ServerRequest request) {
        return Requests.actor(request).flatMap(actor -> requests.body(request, Batch.class, true, MAX_BODY_BYTES, batches).flatMap(body -> {
            List<String> keys = new ArrayList<>();
            List<WalletService.Credit> credits = credits(body, actor, keys);
            List<Object> parts = new ArrayList<>(List.of("credit-batch"));
            for (int i = 0; i < credits.size(); i++) {
                WalletService.Credit credit = credits.get(i);
                parts.add(credit.userId());
                parts.add(credit.amount());
                parts.add(credit.reference());
                parts.add(keys.get(i));
            }
            return Requests.idempotency(request, actor, parts.toArray())
                    .map(batch -> records.find(batch)
                            .flatMap(recorded -> replay(recorded, batch))
                            .switchIfEmpty(Mono.defer(() -> apply(credits, keys, actor)
                                    .flatMap(answer -> records.save(batch, answer).thenReturn(answer))
                                    .flatMap(answer -> Requests.answer(HttpStatus.OK, new Applied<>(answer, false), null)))))
                    .orElseGet(() -> apply(credits, keys, actor)
                            .flatMap(answer -> Requests.answer(HttpStatus.OK, new Applied<>(answer, false), null)));
        }));
    }

    /** The credits of the batch, checked already, and into {@code keys} each one's key as sent. */
    private static List<WalletService.Credit> credits(Batch batch, String actor, List<String> keys) {
        List<WalletService.Credit> credits = new ArrayList<>();
        for (Item item : java.util.Objects.requireNonNull(batch.items())) {
            String userId = String.valueOf(item.userId());
            long amount = java.util.Objects.requireNonNull(item.amount());
            String key = String.valueOf(item.idempotencyKey());
            keys.add(key);
            // The same key and fingerprint as a single credit of the same request: either finds the other.
            credits.add(new WalletService.Credit(userId, amount, item.reference(),
                    Idempotency.of(key, actor, "credit", userId, amount, item.reference())));
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
                            Problems.detail(Problems.classify(java.util.Objects.requireNonNull(outcome.refused()))));
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
        return Requests.answer(HttpStatus.OK, new Applied<>(recorded.body(), true), null);
    }

    private static int count(List<ItemResult> results, String status) {
        return (int) results.stream().filter(result -> result.status().equals(status)).count();
    }
}
