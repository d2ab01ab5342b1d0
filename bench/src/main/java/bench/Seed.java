package bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.netty.buffer.Unpooled;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * Creates the benchmark's wallets before any route is measured, each with enough balance for every
 * withdrawal of 1 the run can make: {@code Seed <baseUrl> <creditToken> <users> <amount>} credits
 * {@code amount} to each of {@code bench-0 .. bench-<users - 1>} and fails unless every credit is a 200.
 */
public final class Seed {

    public static void main(String[] args) {
        String base = args[0];
        String token = args[1];
        int users = Integer.parseInt(args[2]);
        String body = "{\"amount\": " + Long.parseLong(args[3]) + "}";
        HttpClient client = HttpClient.create().baseUrl(base)
                .headers(h -> h.set("Authorization", "Bearer " + token).set("Content-Type", "application/json"));
        Long credited = Flux.range(0, users)
                .flatMap(user -> client.post().uri("/api/v1/wallets/bench-" + user + "/credits")
                        .send(Mono.fromSupplier(() -> Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII)))
                        .responseSingle((response, content) -> response.status().code() == 200
                                ? Mono.just(user)
                                : content.asString().defaultIfEmpty("").flatMap(text -> Mono.error(new IllegalStateException(
                                        "credit of bench-" + user + " answered " + response.status() + " " + text)))), 32)
                .count()
                .block(Duration.ofMinutes(2));
        System.out.println("seeded " + credited + " wallets");
    }
}
