package app.wallet.store;

import java.util.List;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Runs a wallet script: one EVALSHA round trip (EVAL on NOSCRIPT), its flat reply typed. String
 * serializers matter here: a Java-serializing template would prefix the key bytes and miss every key.
 */
@Component
public class WalletScripts {

    private final ReactiveStringRedisTemplate redis;

    public WalletScripts(ReactiveStringRedisTemplate redis) {
        this.redis = redis;
    }

    public Mono<ScriptReply> run(LuaScript script, List<String> keys, List<String> args) {
        return redis.execute(script, keys, args).next().map(ScriptReply::of);
    }
}
