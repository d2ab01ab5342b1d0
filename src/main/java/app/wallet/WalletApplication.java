package app.wallet;

import java.time.Clock;
import java.util.Arrays;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;

import app.wallet.offline.OfflineCommands;

/**
 * Entry point of the wallet service. Spring Kafka's template, listeners and admin are left out: the relay
 * publishes through its own sender ({@code EventPublisher}), which reads the same {@code spring.kafka.*}
 * properties; excluded here, not in application.yaml, so overriding {@code spring.autoconfigure.exclude}
 * cannot bring them back.
 */
@SpringBootApplication(excludeName = "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration")
@ConfigurationPropertiesScan
public class WalletApplication {

    /**
     * Serves; or, with {@code repartition N} or {@code index-withdrawals} as its first arguments, runs that
     * command and exits.
     */
    public static void main(String[] args) {
        if (args.length > 0 && "repartition".equals(args[0])) {
            System.exit(OfflineCommands.repartition(Arrays.copyOfRange(args, 1, args.length)));
        }
        if (args.length > 0 && "index-withdrawals".equals(args[0])) {
            System.exit(OfflineCommands.indexWithdrawals(Arrays.copyOfRange(args, 1, args.length)));
        }
        SpringApplication.run(WalletApplication.class, args);
    }

    /** One clock for every timestamp, so tests can see time as the service does. */
    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
