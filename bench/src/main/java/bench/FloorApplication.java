package bench;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/**
 * The floor: the least a WebFlux app of the service's Boot version does for the service's routes. A
 * constant wallet back for a {@code GET}; a JSON body read into a record for a {@code POST}; the same
 * plus one {@code EVALSHA} of a two-{@code HINCRBY} script through {@link ReactiveStringRedisTemplate}.
 * No security, no metrics, no validation: what is left is the framework's own cost.
 *
 * <p>And the floor of a balance stream on one wallet, at the service's paths so the same probe drives
 * both: every stream on one sink, each change encoded once and handed to every stream from one thread
 * (as the service's change notices arrive on one), each stream keeping only the newest event it has no
 * demand for and flushing event by event, as the service's do; a credit only counts the version up.
 */
@SpringBootApplication
public class FloorApplication {

    static final String WALLET = """
            {"userId":"bench-1","currency":"USD","balance":2000,"pending":8000,"totalEarnings":10000,\
            "totalWithdrawn":0,"version":3,"createdAt":"2026-11-25T06:00:00Z","updatedAt":"2026-11-25T06:00:01Z"}""";

    static final RedisScript<Long> TWO_INCREMENTS = RedisScript.of("""
            redis.call('HINCRBY', KEYS[1], 'balance', ARGV[1])
            return redis.call('HINCRBY', KEYS[1], 'version', 1)""", Long.class);

    record Amount(long amount) {
    }

    /** The floor stream's one wallet: its version, its changes, and the one thread they are handed on from. */
    private final AtomicLong version = new AtomicLong();
    private final Sinks.Many<byte[]> changes = Sinks.many().multicast().directBestEffort();
    private final Scheduler notices = Schedulers.newSingle("floor-notices");

    public static void main(String[] args) {
        SpringApplication.run(FloorApplication.class, args);
    }

    @Bean
    RouterFunction<ServerResponse> floorRoutes(ReactiveStringRedisTemplate redis) {
        return route()
                .GET("/floor/wallets/{userId}", request -> ServerResponse.ok()
                        .contentType(MediaType.APPLICATION_JSON).bodyValue(WALLET))
                .POST("/floor/wallets/{userId}/credits", request -> request.bodyToMono(Amount.class)
                        .flatMap(amount -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(WALLET)))
                .POST("/floor/wallets/{userId}/scripted-credits", request -> request.bodyToMono(Amount.class)
                        .flatMap(amount -> redis.execute(TWO_INCREMENTS,
                                        List.of("floor:" + request.pathVariable("userId")), List.of(Long.toString(amount.amount())))
                                .next())
                        .flatMap(version -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(WALLET)))
                .GET("/api/v1/wallets/{userId}/stream", request -> ServerResponse.ok()
                        .contentType(MediaType.TEXT_EVENT_STREAM)
                        .body((response, context) -> response.writeAndFlushWith(changes.asFlux()
                                .startWith(event(version.get()))
                                .onBackpressureLatest()
                                .map(bytes -> Flux.just(response.bufferFactory().wrap(bytes))))))
                .POST("/api/v1/wallets/{userId}/credits", request -> request.bodyToMono(Amount.class).flatMap(amount -> {
                    long next = version.incrementAndGet();
                    byte[] event = event(next);
                    notices.schedule(() -> changes.tryEmitNext(event));
                    return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue("{\"version\":" + next + "}");
                }))
                .build();
    }

    private static byte[] event(long version) {
        return ("event: balance\nid: " + version + "\ndata: " + WALLET + "\n\n").getBytes(StandardCharsets.UTF_8);
    }
}
