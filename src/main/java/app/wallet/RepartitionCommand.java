package app.wallet;

import java.util.Arrays;

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
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import app.wallet.store.Repartitioning;

/**
 * {@code java -jar wallet-service.jar repartition N [--spring.data.redis...]}: changes the number of
 * partitions of the data in Redis, with every instance stopped. Connects as the service does, from the
 * same {@code spring.data.redis.*} settings (arguments, environment, application.yaml), and starts nothing
 * else of the service.
 */
final class RepartitionCommand {

    private RepartitionCommand() {
    }

    /** The process's exit code: 0 done, 1 refused or failed, 2 used wrongly. */
    static int run(String... args) {
        if (args.length < 1 || !args[0].matches("\\d{1,4}")) {
            System.err.println("Usage: java -jar wallet-service.jar repartition <partitions 1..4096> [--spring.data.redis.*=...]");
            return 2;
        }
        int to = Integer.parseInt(args[0]);
        String[] settings = Arrays.copyOfRange(args, 1, args.length);
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(DataRedisAutoConfiguration.class)
                .web(WebApplicationType.NONE).bannerMode(Banner.Mode.OFF).logStartupInfo(false).run(settings);
                StatefulConnection<String, String> connection = connect(context.getBean(LettuceConnectionFactory.class))) {
            @SuppressWarnings("unchecked")
            RedisClusterCommands<String, String> commands = connection instanceof StatefulRedisClusterConnection<String, String> cluster
                    ? cluster.sync() : ((StatefulRedisConnection<String, String>) connection).sync();
            new Repartitioning(commands, System.out::println).run(to);
            return 0;
        }
        catch (IllegalStateException | IllegalArgumentException refused) {
            System.err.println("Not repartitioned: " + refused.getMessage());
            return 1;
        }
    }

    private static StatefulConnection<String, String> connect(LettuceConnectionFactory connections) {
        return connections.getRequiredNativeClient() instanceof RedisClusterClient cluster
                ? cluster.connect(StringCodec.UTF8)
                : ((RedisClient) connections.getRequiredNativeClient()).connect(StringCodec.UTF8);
    }
}
