package app.wallet;

import app.wallet.support.LocalKafka;
import app.wallet.support.LocalRedis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * The service on port 8080 with a real Redis and Kafka it starts itself, for {@code ./mvnw spring-boot:test-run}:
 * nothing to install but a JDK.
 */
public class LocalWalletApplication {

    private static final Logger log = LoggerFactory.getLogger(LocalWalletApplication.class);

    public static void main(String[] args) {
        LocalRedis redis = LocalRedis.start();
        Runtime.getRuntime().addShutdownHook(new Thread(redis::close, "redis-shutdown"));
        System.setProperty("spring.data.redis.host", redis.host());
        System.setProperty("spring.data.redis.port", Integer.toString(redis.port()));
        log.info("Local Redis at {}:{}", redis.host(), redis.port());
        LocalKafka kafka = LocalKafka.start();
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "kafka-shutdown"));
        System.setProperty("spring.kafka.bootstrap-servers", kafka.bootstrapServers());
        log.info("Local Kafka at {}", kafka.bootstrapServers());
        SpringApplication.from(WalletApplication::main).with(ReadyBanner.class).run(args);
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class ReadyBanner {

        @Bean
        ApplicationListener<ApplicationReadyEvent> printBaseUrl(Environment environment) {
            return event -> {
                String base = "http://localhost:" + environment.getProperty("local.server.port", "8080") + "/api/v1";
                log.info("Wallet service ready at {}", base);
                log.info("Try: curl -s -X POST {}/wallets/alice/credits -H 'Content-Type: application/json' -d '{\"amount\": 10000}'", base);
            };
        }
    }
}
