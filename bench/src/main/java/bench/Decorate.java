package bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import io.netty.buffer.Unpooled;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * Gives every benchmark wallet a withdrawal policy and two balance alerts, none of which the benchmark's
 * changes cross, so a change pays for deciding them and nothing else: {@code Decorate <baseUrl>
 * <operatorToken> <users>}. The policy has limits (every withdrawal enters the 24-hour window) but no
 * auto-approval (a withdrawal stays one change); fails unless every call succeeds.
 */
public final class Decorate {

    private record Call(String method, String path, String body, int status) {
    }

    public static void main(String[] args) {
        String base = args[0];
        String token = args[1];
        int users = Integer.parseInt(args[2]);
        HttpClient client = HttpClient.create().baseUrl(base)
                .headers(h -> h.set("Authorization", "Bearer " + token).set("Content-Type", "application/json"));
        Long decorated = Flux.range(0, users)
                .concatMap(user -> Flux.fromIterable(List.of(
                        new Call("PUT", "/api/v1/wallets/bench-" + user + "/policy",
                                "{\"dailyLimit\": 1000000000000000, \"dailyCount\": 1000000}", 200),
                        new Call("POST", "/api/v1/wallets/bench-" + user + "/alerts",
                                "{\"name\": \"empty\", \"field\": \"balance\", \"below\": 1}", 201),
                        new Call("POST", "/api/v1/wallets/bench-" + user + "/alerts",
                                "{\"name\": \"stuck\", \"field\": \"pending\", \"above\": 1000000000000000}", 201))))
                .flatMap(call -> client.request(io.netty.handler.codec.http.HttpMethod.valueOf(call.method())).uri(call.path())
                        .send(Mono.fromSupplier(() -> Unpooled.copiedBuffer(call.body(), StandardCharsets.US_ASCII)))
                        .responseSingle((response, content) -> response.status().code() == call.status()
                                ? Mono.just(call)
                                : content.asString().defaultIfEmpty("").flatMap(text -> Mono.error(new IllegalStateException(
                                        call.method() + " " + call.path() + " answered " + response.status() + " " + text)))), 32)
                .count()
                .block(Duration.ofMinutes(2));
        System.out.println("decorated " + users + " wallets (" + decorated + " calls)");
    }
}
