package app.wallet.wallet;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

import app.wallet.config.WalletProperties;
import app.wallet.metrics.WalletMetrics;
import app.wallet.store.Applied;
import app.wallet.store.ChangeRefusedException;
import app.wallet.store.LuaScript;
import app.wallet.store.TimeOrderedIds;
import app.wallet.store.WalletKeys;
import app.wallet.store.WalletScripts;
import app.wallet.web.ApiException;
import app.wallet.web.ErrorCode;
import app.wallet.web.Idempotency;

/** Reads wallets and credits earnings, each credit one atomic script. */
@Service
public class WalletService {

    private final ReactiveStringRedisTemplate redis;
    private final WalletScripts scripts;
    private final LuaScript creditScript;
    private final WalletKeys keys;
    private final WalletProperties properties;
    private final TimeOrderedIds ids;
    private final Clock clock;
    private final WalletMetrics metrics;

    WalletService(ReactiveStringRedisTemplate redis, WalletScripts scripts, LuaScript creditScript,
            WalletKeys keys, WalletProperties properties, TimeOrderedIds ids, Clock clock, WalletMetrics metrics) {
        this.redis = redis;
        this.scripts = scripts;
        this.creditScript = creditScript;
        this.keys = keys;
        this.properties = properties;
        this.ids = ids;
        this.clock = clock;
        this.metrics = metrics;
    }

    public Mono<Wallet> find(String userId) {
        return redis.<String, String>opsForHash().entries(keys.wallet(userId))
                .collectMap(entry -> entry.getKey(), entry -> entry.getValue())
                .filter(hash -> !hash.isEmpty())
                .map(hash -> Wallet.of(hash, userId, properties.currency()))
                .switchIfEmpty(Mono.error(() -> new ApiException(ErrorCode.WALLET_NOT_FOUND, "No wallet for user " + userId)));
    }

    public Mono<Applied<Wallet>> credit(String userId, long amount, @Nullable String reference, String actor,
            Optional<Idempotency> idempotency) {
        List<String> scriptKeys = new ArrayList<>(List.of(keys.wallet(userId), keys.ledger(userId), keys.outbox(userId)));
        idempotency.ifPresent(i -> scriptKeys.add(keys.idempotency(userId, "credit", i.key())));
        List<String> args = List.of(userId, Long.toString(amount), reference == null ? "" : reference, ids.next(),
                Long.toString(clock.millis()), idempotency.map(Idempotency::fingerprint).orElse(""),
                Long.toString(properties.idempotencyTtl().toSeconds()), Long.toString(WalletProperties.MAX_MONEY_VALUE),
                keys.changes(userId));
        return metrics.observe("credit", scripts.run(creditScript, scriptKeys, args, actor)
                .map(outcome -> outcome.changedOrThrow(refused -> {
                    metrics.refusal(refused, amount);
                    return ChangeRefusedException.of(refused, userId, "a credit of " + amount);
                }))
                .map(changed -> new Applied<>(Wallet.of(changed.wallet(), userId, properties.currency()), changed.replayed())));
    }
}
