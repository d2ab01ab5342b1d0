package app.wallet;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;
import org.springframework.core.Ordered;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.env.Environment;
import org.springframework.http.MediaType;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;
import org.springframework.validation.Validator;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

import app.wallet.support.LocalKafka;
import app.wallet.support.LocalRedis;
import app.wallet.support.LocalTokens;
import app.wallet.web.Requests;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/**
 * The service on port 8080 with a real Redis and Kafka it starts itself, for {@code ./mvnw spring-boot:test-run}:
 * nothing to install but a JDK. Tokens come from a local issuer ({@link LocalTokens}) through
 * {@code POST /local/tokens}, which exists only here, never in the service's jar, as does Swagger UI at
 * {@code /local/swagger-ui} over the service's OpenAPI document and a page that watches a wallet live, and
 * works the operator queue, at {@code /local/wallet}.
 */
public class LocalWalletApplication {

    private static final Logger log = LoggerFactory.getLogger(LocalWalletApplication.class);
    private static final Duration TOKEN_VALIDITY = Duration.ofHours(1);
    private static final String[] KAFKA_LOGGERS = {"org.apache.kafka", "kafka", "state.change.logger", "org.testcontainers"};

    public static void main(String[] args) {
        quietServers();
        LocalRedis redis = LocalRedis.start();
        Runtime.getRuntime().addShutdownHook(new Thread(redis::close, "redis-shutdown"));
        System.setProperty("spring.data.redis.host", redis.host());
        System.setProperty("spring.data.redis.port", Integer.toString(redis.port()));
        log.info("Local Redis at {}:{}", redis.host(), redis.port());
        LocalKafka kafka = LocalKafka.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // Kafka's own test utilities delete the broker's directories in a shutdown hook of their own,
            // which races this one: the broker's complaints about them are no news at a Ctrl-C.
            setLevel(ch.qos.logback.classic.Level.OFF, KAFKA_LOGGERS);
            kafka.close();
        }, "kafka-shutdown"));
        System.setProperty("spring.kafka.bootstrap-servers", kafka.bootstrapServers());
        log.info("Local Kafka at {}", kafka.bootstrapServers());
        LocalTokens.shared().properties().forEach(System::setProperty);
        // The token endpoint mints any scope for anyone who reaches it: loopback only, unless told otherwise.
        if (System.getProperty("server.address") == null && System.getenv("SERVER_ADDRESS") == null) {
            System.setProperty("server.address", "127.0.0.1");
        }
        SpringApplication.from(WalletApplication::main).with(LocalIssuer.class).run(args);
    }

    /**
     * The in-process broker and the Kafka clients log every setting they start with (hundreds of lines)
     * and their progress at INFO; at WARN the ready line and the curl line stay in sight. Set before the
     * broker starts (logging is not configured by Spring Boot yet) and for Spring Boot's configuration.
     */
    private static void quietServers() {
        for (String logger : KAFKA_LOGGERS) {
            System.setProperty("logging.level." + logger, "WARN");
        }
        setLevel(ch.qos.logback.classic.Level.WARN, KAFKA_LOGGERS);
    }

    private static void setLevel(ch.qos.logback.classic.Level level, String... loggers) {
        for (String logger : loggers) {
            if (LoggerFactory.getLogger(logger) instanceof ch.qos.logback.classic.Logger logback) {
                logback.setLevel(level);
            }
        }
    }

    /** {@code POST /local/tokens} {@code {"sub": "alice", "scope": "wallet:read wallet:withdraw"}} gives {@code {"token": ...}}. */
    @TestConfiguration(proxyBeanMethods = false)
    static class LocalIssuer {

        @Bean
        @Order(Ordered.HIGHEST_PRECEDENCE)
        SecurityWebFilterChain localTokenEndpoint(ServerHttpSecurity http) {
            // Swagger UI reads the API's description without a token here; the service itself asks for one.
            return http.securityMatcher(ServerWebExchangeMatchers.pathMatchers("/local/**", "/v3/api-docs", "/v3/api-docs.yaml"))
                    .csrf(ServerHttpSecurity.CsrfSpec::disable)
                    .authorizeExchange(exchanges -> exchanges.anyExchange().permitAll())
                    .build();
        }

        @Bean
        RouterFunction<ServerResponse> localTokenRoutes(Requests requests) {
            Validator tokenRequests = Validator.forInstanceOf(TokenRequest.class, (asked, errors) -> {
                if (asked.sub() == null || asked.sub().isBlank()) {
                    errors.rejectValue("sub", "required", "is required");
                }
                Requests.text(errors, "sub", asked.sub(), 255);
                Requests.text(errors, "scope", asked.scope(), 1024);
            });
            return route()
                    .POST("/local/tokens", request -> requests.body(request, TokenRequest.class, true, Requests.MAX_BODY_BYTES,
                            tokenRequests).flatMap(asked -> {
                        String scope = asked.scope();
                        String token = LocalTokens.shared().token(asked.sub(), scope == null ? "" : scope, TOKEN_VALIDITY);
                        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
                                .bodyValue(Map.of("token", token, "expiresIn", TOKEN_VALIDITY.toSeconds()));
                    }))
                    .GET("/local/swagger-ui", request -> ServerResponse.ok().contentType(MediaType.TEXT_HTML)
                            .bodyValue(new ClassPathResource("local/swagger-ui.html")))
                    .GET("/local/wallet", request -> ServerResponse.ok().contentType(MediaType.TEXT_HTML)
                            .bodyValue(new ClassPathResource("local/wallet.html")))
                    .add(RouterFunctions.resources("/local/swagger-ui/**", new ClassPathResource(
                            "META-INF/resources/webjars/swagger-ui/" + webjarVersion("swagger-ui") + "/")))
                    .build();
        }

        /** {@code {"sub": "alice", "scope": "wallet:read"}}. */
        record TokenRequest(@Nullable String sub, @Nullable String scope) {
        }

        /** The version of a webjar on the classpath, from the Maven metadata it carries. */
        private static String webjarVersion(String artifact) {
            Properties properties = new Properties();
            try (InputStream in = new ClassPathResource("META-INF/maven/org.webjars/" + artifact + "/pom.properties").getInputStream()) {
                properties.load(in);
            }
            catch (IOException e) {
                throw new UncheckedIOException("The " + artifact + " webjar is not on the classpath", e);
            }
            return properties.getProperty("version");
        }

        @Bean
        ApplicationListener<ApplicationReadyEvent> printBaseUrl(Environment environment) {
            return event -> {
                String base = "http://localhost:" + environment.getProperty("local.server.port", "8080");
                String operator = LocalTokens.shared().token("operator-1", "wallet:operate", TOKEN_VALIDITY);
                log.info("Wallet service ready at {}/api/v1; tokens from POST {}/local/tokens (see README); the API in a "
                        + "browser: {}/local/swagger-ui; a wallet watched live: {}/local/wallet", base, base, base, base);
                log.info("Try, as an operator (token valid for an hour): curl -s -X POST {}/api/v1/admin/audit "
                        + "-H 'Authorization: Bearer {}'", base, operator);
            };
        }
    }
}
