package app.wallet.stream;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

import app.wallet.config.WalletProperties;
import app.wallet.wallet.WalletService;
import app.wallet.web.Requests;
import app.wallet.web.Problems;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/** The route of a wallet's live balance stream. */
@Configuration(proxyBeanMethods = false)
class StreamRouter {

    @Bean
    RouterFunction<ServerResponse> streamRoutes(WalletService wallets, BalanceHub hub, WalletProperties properties,
            Problems problems, JsonMapper json) {
        SseWireFormat format = new SseWireFormat(json);
        return route()
                .GET("/api/v1/wallets/{userId}/stream", request -> stream(request, wallets, hub, properties, format))
                .filter(problems.asFilter())
                .build();
    }

    /** A 404 problem for an unknown wallet comes before the stream starts, while a status can still be sent. */
    private static Mono<ServerResponse> stream(ServerRequest request, WalletService wallets, BalanceHub hub,
            WalletProperties properties, SseWireFormat format) {
        String userId = Requests.userId(request);
        long lastEventId = lastEventId(request);
        return wallets.find(userId).flatMap(exists -> {
            Flux<DataBuffer> events = BalanceStream.events(hub.changes(userId), wallets.find(userId), lastEventId,
                    properties.stream().heartbeat(), Schedulers.parallel()).map(format::encode);
            return ServerResponse.ok()
                    .contentType(MediaType.TEXT_EVENT_STREAM)
                    .header("Cache-Control", "no-cache")
                    .header("X-Accel-Buffering", "no")
                    // Flushed event by event: a balance must not wait in a buffer for the next one.
                    .body((response, context) -> response.writeAndFlushWith(events.map(Flux::just)));
        });
    }

    /** A malformed Last-Event-ID is treated as none: the client then simply gets the current state. */
    private static long lastEventId(ServerRequest request) {
        String value = request.headers().firstHeader("Last-Event-ID");
        return value != null && value.matches("\\d{1,18}") ? Long.parseLong(value) : 0;
    }
}
