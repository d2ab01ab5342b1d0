package app.wallet.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import io.lettuce.core.ClientOptions;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;

import app.wallet.store.LuaScript;
import app.wallet.store.WalletKeys;

/** The Lua scripts, one bean each, and the Redis client behaviour the money path relies on. */
@Configuration(proxyBeanMethods = false)
class RedisScriptsConfiguration {

    @Bean
    LuaScript creditScript() {
        return script("credit");
    }

    @Bean
    LuaScript withdrawScript() {
        return script("withdraw");
    }

    @Bean
    LuaScript approveScript() {
        return script("approve");
    }

    @Bean
    LuaScript rejectScript() {
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

    /**
     * Read once here, at start-up: a script built from a resource re-reads the file to compute its SHA-1,
     * which would be blocking file I/O on the request path.
     */
    private static LuaScript script(String name) {
        try {
            return LuaScript.of(name, new ClassPathResource("lua/" + name + ".lua").getContentAsString(StandardCharsets.UTF_8));
        }
        catch (IOException e) {
            throw new UncheckedIOException("Missing Lua script " + name, e);
        }
    }
}
