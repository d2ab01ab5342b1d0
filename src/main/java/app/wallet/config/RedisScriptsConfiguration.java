package app.wallet.config;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.protocol.CommandType;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import app.wallet.store.LuaScript;
import app.wallet.store.WalletKeys;

/** The Lua scripts, one bean each, and the Redis client behaviour the money path relies on. */
@Configuration(proxyBeanMethods = false)
class RedisScriptsConfiguration {

    /** Helpers every money script is loaded with. */
    private static final String MONEY_HELPERS = "_common";

    @Bean
    LuaScript creditScript() {
        return LuaScript.load("credit", MONEY_HELPERS);
    }

    @Bean
    LuaScript withdrawScript() {
        return LuaScript.load("withdraw", MONEY_HELPERS);
    }

    @Bean
    LuaScript approveScript() {
        return LuaScript.load("approve", MONEY_HELPERS);
    }

    @Bean
    LuaScript rejectScript() {
        return LuaScript.load("reject", MONEY_HELPERS);
    }

    @Bean
    WalletKeys walletKeys(WalletProperties properties) {
        return new WalletKeys(properties.partitions());
    }

    /**
     * While the connection is down Lettuce would otherwise queue commands and answer only when the
     * command timeout fires; refusing at once turns an outage into an immediate 503.
     *
     * <p>After a reconnect Lettuce re-sends the commands that were in flight when the connection
     * dropped. A script may already have run then, and running a money change twice would apply it
     * twice; so scripts are never re-sent: the request fails (503) and the client retries with its
     * Idempotency-Key, which tells it what happened.
     */
    @Bean
    LettuceClientOptionsBuilderCustomizer moneySafeClientOptions() {
        return builder -> builder.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .replayFilter(command -> command.getType() == CommandType.EVALSHA || command.getType() == CommandType.EVAL);
    }

    /**
     * Connect while the context starts, on the main thread, and again whenever it restarts: left lazy,
     * the shared connection would be opened, blocking, by the first request on an event-loop thread.
     */
    @Bean
    static BeanPostProcessor eagerRedisConnection() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String beanName) {
                if (bean instanceof LettuceConnectionFactory factory) {
                    factory.setEagerInitialization(true);
                }
                return bean;
            }
        };
    }
}
