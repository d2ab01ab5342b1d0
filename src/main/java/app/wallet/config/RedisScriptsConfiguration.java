package app.wallet.config;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientConfigurationBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import app.wallet.store.LuaScript;
import app.wallet.store.RedisClientName;
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
     * <p>Commands in flight when the connection drops then fail too, rather than being re-sent after the
     * reconnect; Lettuce can still re-queue the commands of a failed write. A script may already have run
     * then, and running a money change twice would apply it twice; so scripts are never re-sent: the
     * request fails (503) and the client retries with its Idempotency-Key, which tells it what happened.
     */
    @Bean
    LettuceClientOptionsBuilderCustomizer moneySafeClientOptions() {
        return builder -> builder.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .replayFilter(RedisScriptsConfiguration::isScript);
    }

    // Lettuce also asks about a failed batch write with no single command (null).
    private static boolean isScript(@Nullable RedisCommand<?, ?, ?> command) {
        return command != null && (command.getType() == CommandType.EVALSHA || command.getType() == CommandType.EVAL);
    }

    @Bean
    RedisClientName redisClientName(@Value("${spring.application.name}") String application) {
        return RedisClientName.forInstance(application);
    }

    /** Every connection names itself on each connect, so this instance can find its own (ConnectionRenewal). */
    @Bean
    LettuceClientConfigurationBuilderCustomizer instanceClientName(RedisClientName name) {
        return builder -> builder.clientName(name.value());
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
