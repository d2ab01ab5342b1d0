package app.wallet.config;

import java.util.List;

import io.lettuce.core.ClientOptions;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.script.RedisScript;

import app.wallet.store.WalletKeys;

/** The Lua scripts, one bean each, and the Redis client behaviour the money path relies on. */
@Configuration(proxyBeanMethods = false)
@SuppressWarnings("rawtypes")
class RedisScriptsConfiguration {

    @Bean
    RedisScript<List> creditScript() {
        return script("credit");
    }

    @Bean
    RedisScript<List> withdrawScript() {
        return script("withdraw");
    }

    @Bean
    RedisScript<List> approveScript() {
        return script("approve");
    }

    @Bean
    RedisScript<List> rejectScript() {
        return script("reject");
    }

    @Bean
    WalletKeys walletKeys(WalletProperties properties) {
        return new WalletKeys(properties.partitions());
    }

    /**
     * While the connection is down Lettuce would otherwise queue commands and answer only when the
     * command timeout fires; refusing at once turns an outage into an immediate 503.
     */
    @Bean
    LettuceClientOptionsBuilderCustomizer rejectCommandsWhileDisconnected() {
        return builder -> builder.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    }

    private static RedisScript<List> script(String name) {
        return RedisScript.of(new ClassPathResource("lua/" + name + ".lua"), List.class);
    }
}
