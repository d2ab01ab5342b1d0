package app.wallet.stream;

import java.time.Duration;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

import app.wallet.config.WalletProperties;
import app.wallet.web.ApiException;
import app.wallet.web.ErrorCode;
import app.wallet.wallet.WalletService;
import app.wallet.web.Requests;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/** The routes of a wallet's live balance stream, and of the tickets that open it from a browser. */
@Configuration(proxyBeanMethods = false)
class StreamRouter {

    @Bean
    RouterFunction<ServerResponse> streamRoutes(WalletService wallets, BalanceHub hub, StreamTickets tickets,
            WalletProperties properties, JsonMapper json) {
        SseWireFormat format = new SseWireFormat(json);
        SnapshotReads reads = new SnapshotReads(wallets);
        Duration heartbeat = properties.stream().heartbeat();
        // One clock for every stream's keep-alives, ticking three times a heartbeat: a stream is never
        // silent for more than a heartbeat and a third.
        Flux<Long> ticks = Flux.interval(heartbeat.dividedBy(3), Schedulers.parallel()).share();
        return route()
                .GET("/api/v1/wallets/{userId}/stream", request -> admitted(request, tickets)
                        .then(Mono.defer(() -> stream(request, reads, hub, heartbeat, ticks, format))))
                .POST("/api/v1/wallets/{userId}/stream-tickets", request -> {
                    String userId = Requests.userId(request);
                    return wallets.find(userId).then(tickets.issue(userId))
                            .flatMap(ticket -> ServerResponse.status(HttpStatus.CREATED).bodyValue(ticket));
                })
                .build();
    }

    /**
     * A request with a {@code ticket} must bring a good one (the security rules let such a request in
     * without a token; with a token it has passed them as well). The ticket is never logged: problems
     * log the path alone, without the query.
     */
    private static Mono<Void> admitted(ServerRequest request, StreamTickets tickets) {
        String ticket = request.queryParam(StreamTickets.PARAMETER).orElse(null);
        if (ticket == null) {
            return Mono.empty();
        }
        return tickets.redeem(Requests.userId(request), ticket).flatMap(good -> good ? Mono.<Void>empty()
                : Mono.error(new ApiException(ErrorCode.UNAUTHORIZED,
                        "The stream ticket is not good: used, expired, or issued for another wallet")));
    }

    /** A 404 problem for an unknown wallet comes before the stream starts, while a status can still be sent. */
    private static Mono<ServerResponse> stream(ServerRequest request, SnapshotReads reads, BalanceHub hub,
            Duration heartbeat, Flux<Long> ticks, SseWireFormat format) {
        String userId = Requests.userId(request);
        long lastEventId = lastEventId(request);
        // Setting a stream up (its response, its subscriptions, its snapshot read) is done off the thread
        // that reads Redis's replies: a burst of opens would otherwise hold back every reply behind it, and
        // the last of them outlast the command timeout (seen as 503s while 10,000 streams opened). Its first
        // state is still written from that thread (handing it over too measured slower).
        return reads.read(userId).publishOn(Schedulers.parallel()).flatMap(exists -> {
            Flux<DataBuffer> events = BalanceStream.events(hub.changes(userId), hub.alerts(userId), reads.read(userId),
                    lastEventId, heartbeat, ticks, Schedulers.parallel()).map(format::encode);
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
