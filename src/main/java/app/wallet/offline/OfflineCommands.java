package app.wallet.offline;

import java.time.Duration;
import java.util.Arrays;
import java.util.function.BiFunction;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.StringCodec;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * {@code java -jar wallet-service.jar repartition N [--spring.data.redis...]}: changes the
 * number of partitions of the data in Redis, with every instance stopped. It waits
 * {@code wallet.repartition.settle} (10 s) with the layout marked as changing before it looks for serving
 * instances, so that one starting meanwhile is seen. Connects as the service does, from the
 * same {@code spring.data.redis.*} settings (arguments, environment, application.yaml), and starts nothing
 * else of the service.
 */
public final class OfflineCommands {

    private OfflineCommands() {
    }

    /** The process's exit code: 0 done, 1 refused or failed, 2 used wrongly. */
    public static int repartition(String... args) {
        if (args.length < 1 || !args[0].matches("\\d{1,4}")) {
            System.err.println("Usage: java -jar wallet-service.jar repartition <partitions 1..4096> "
                    + "[--spring.data.redis.*=...] [--wallet.repartition.settle=10s]");
            return 2;
        }
        int to = Integer.parseInt(args[0]);
        String[] settings = Arrays.copyOfRange(args, 1, args.length);
        try {
            return withRedis(settings, (commands, environment) -> {
                Duration settle = Binder.get(environment)
                        .bind("wallet.repartition.settle", Duration.class).orElse(Duration.ofSeconds(10));
                new Repartitioning(commands, System.out::println).run(to, settle);
                return 0;
            });
        }
        catch (IllegalStateException | IllegalArgumentException refused) {
            System.err.println("Not repartitioned: " + refused.getMessage());
            return 1;
        }
    }

    /**
     * {@code java -jar wallet-service.jar index-withdrawals [--spring.data.redis...]}: puts withdrawals made
     * before the operator queue existed into it ({@link QueueBackfill}); instances may be serving.
     */
    public static int indexWithdrawals(String... settings) {
        try {
            return withRedis(settings, (commands, environment) -> {
                new QueueBackfill(commands, System.out::println).run();
                return 0;
            });
        }
        catch (IllegalStateException refused) {
            System.err.println("Not indexed: " + refused.getMessage());
            return 1;
        }
    }

    private static int withRedis(String[] settings,
            BiFunction<RedisClusterCommands<String, String>, Environment, Integer> work) {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(DataRedisAutoConfiguration.class)
                .web(WebApplicationType.NONE).bannerMode(Banner.Mode.OFF).logStartupInfo(false).run(settings);
                StatefulConnection<String, String> connection = connect(context.getBean(LettuceConnectionFactory.class))) {
            @SuppressWarnings("unchecked")
            RedisClusterCommands<String, String> commands = connection instanceof StatefulRedisClusterConnection<String, String> cluster
                    ? cluster.sync() : ((StatefulRedisConnection<String, String>) connection).sync();
            return work.apply(commands, context.getEnvironment());
        }
    }

    private static StatefulConnection<String, String> connect(LettuceConnectionFactory connections) {
        return connections.getRequiredNativeClient() instanceof RedisClusterClient cluster
                ? cluster.connect(StringCodec.UTF8)
                : ((RedisClient) connections.getRequiredNativeClient()).connect(StringCodec.UTF8);
    }
}
