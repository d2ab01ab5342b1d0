package app.wallet.alert;

import java.util.Comparator;
import java.util.List;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

import app.wallet.store.LuaScript;
import app.wallet.store.Refusal;
import app.wallet.store.StoreException;
import app.wallet.store.WalletKeys;

/**
 * Keeps wallets' balance alerts. Deciding them is the money scripts' part (see {@code _common.lua}):
 * they read a wallet's alerts in the same step as its change, so an alert fires once per crossing
 * whatever runs at the same time.
 */
@Service
public class Alerts {

    /** The most alerts one wallet may hold: each change of the wallet reads them all. */
    public static final int MAX_PER_WALLET = 10;

    private final ReactiveStringRedisTemplate redis;
    private final WalletKeys keys;

    Alerts(ReactiveStringRedisTemplate redis, WalletKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /**
     * A new alert, armed; or fired already if the wallet stands beyond its threshold, so it fires only
     * after the field has come back and crossed again.
     */
    public Mono<Alert> add(String userId, String name, String field, String direction, long threshold) {
        String id = keys.newId();
        return redis.execute(LuaScript.ALERT_ADD, List.of(keys.wallet(userId), keys.alerts(userId)),
                        List.of(id, field, direction, Long.toString(threshold), name, Integer.toString(MAX_PER_WALLET)))
                .next()
                .map(reply -> switch (((Number) reply.get(0)).intValue()) {
                    case 0 -> Alert.of(id, name, field, direction, threshold, String.valueOf(reply.get(1)));
                    case -1 -> throw StoreException.Refused.noWallet(userId);
                    default -> throw new StoreException.Refused(Refusal.TOO_MANY_ALERTS,
                            "A wallet holds at most " + MAX_PER_WALLET + " alerts", null, false);
                });
    }

    /** The wallet's alerts, oldest first. */
    public Mono<List<Alert>> list(String userId) {
        return redis.hasKey(keys.wallet(userId)).flatMap(exists -> !exists
                ? Mono.error(StoreException.Refused.noWallet(userId))
                : redis.<String, String>opsForHash().entries(keys.alerts(userId))
                        .map(entry -> Alert.stored(entry.getKey(), entry.getValue()))
                        .sort(Comparator.comparing(Alert::id))
                        .collectList());
    }

    /** Whether the alert was there to remove. */
    public Mono<Boolean> remove(String userId, String alertId) {
        return redis.execute(LuaScript.ALERT_REMOVE, List.of(keys.wallet(userId), keys.alerts(userId)), List.of(alertId))
                .next()
                .map(reply -> ((Number) reply.get(0)).intValue() == 1);
    }
}
