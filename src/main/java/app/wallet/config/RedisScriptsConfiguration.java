package app.wallet.config;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.protocol.RedisCommand;
import org.jspecify.annotations.Nullable;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.propagation.Propagator;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import app.wallet.store.LuaScript;
import app.wallet.store.Scripts;
import app.wallet.store.WalletKeys;

/** The script runner, the keys, and the Redis client behaviour the money path relies on. */
@Configuration(proxyBeanMethods = false)
class RedisScriptsConfiguration {

    @Bean
    WalletKeys walletKeys(WalletProperties properties, Clock clock) {
        return new WalletKeys(properties.partitions(), clock);
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

    // Lettuce also asks about a failed batch write with no single command (null). The replication fence's
    // commands are not re-sent either: after a reconnect they would vouch for a server they did not see.
    private static boolean isScript(@Nullable RedisCommand<?, ?, ?> command) {
        return command != null && NEVER_REPLAYED.contains(command.getType());
    }

    private static final Set<ProtocolKeyword> NEVER_REPLAYED =
            Set.of(CommandType.EVALSHA, CommandType.EVAL, CommandType.INCR, CommandType.WAIT);

    @Bean
    Scripts scripts(LettuceConnectionFactory connections, WalletProperties properties,
            @Value("${spring.data.redis.timeout:60s}") Duration commandTimeout, ObjectProvider<Propagator> propagator,
            MeterRegistry registry) {
        return new Scripts(connections, properties.redis().minReplicaAcks(), properties.redis().replicaAckTimeout(),
                commandTimeout, propagator.getIfUnique(), registry, LuaScript.ALL);
    }

    /**
     * Lettuce doubles its reconnect delay up to 30 s, so a Redis back after a long outage went unused for
     * up to 30 s more; capped, the service answers again within about a second of Redis.
     */
    @Bean
    ClientResourcesBuilderCustomizer boundedReconnectDelay(WalletProperties properties) {
        return builder -> builder.reconnectDelay(Delay.exponential(Duration.ofMillis(50),
                properties.redis().maxReconnectDelay(), 2, TimeUnit.MILLISECONDS));
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
