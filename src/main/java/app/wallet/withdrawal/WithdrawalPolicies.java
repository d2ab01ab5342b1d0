package app.wallet.withdrawal;

import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

import app.wallet.store.LuaScript;
import app.wallet.store.StoreException;
import app.wallet.store.WalletKeys;

/**
 * Wallets' own withdrawal policies. The withdraw script applies them, the wallet's field by field over the
 * deployment's ({@code wallet.withdrawal.*}); this only keeps them.
 */
@Service
public class WithdrawalPolicies {

    /** A wallet's own policy; a null field is the deployment's. */
    public record Policy(@Nullable Long autoApproveMax, @Nullable Long dailyLimit, @Nullable Integer dailyCount) {
    }

    private final ReactiveStringRedisTemplate redis;
    private final WalletKeys keys;

    WithdrawalPolicies(ReactiveStringRedisTemplate redis, WalletKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    public Mono<Policy> find(String userId) {
        return redis.hasKey(keys.wallet(userId)).flatMap(exists -> !exists
                ? Mono.error(StoreException.Refused.noWallet(userId))
                : redis.<String, String>opsForHash().multiGet(keys.policy(userId), List.of("autoApproveMax", "dailyLimit", "dailyCount"))
                        .map(fields -> new Policy(number(fields.get(0)), number(fields.get(1)),
                                fields.get(2) == null ? null : Integer.valueOf(fields.get(2)))));
    }

    public Mono<Policy> save(String userId, Policy policy) {
        return redis.execute(LuaScript.POLICY_SET, List.of(keys.wallet(userId), keys.policy(userId)),
                        List.of(orNone(policy.autoApproveMax()), orNone(policy.dailyLimit()), orNone(policy.dailyCount())))
                .next()
                .flatMap(reply -> ((Number) reply.get(0)).intValue() < 0
                        ? Mono.error(StoreException.Refused.noWallet(userId))
                        : Mono.just(policy));
    }

    private static @Nullable Long number(@Nullable String value) {
        return value == null ? null : Long.valueOf(value);
    }

    private static String orNone(@Nullable Number value) {
        return value == null ? "" : value.toString();
    }
}
