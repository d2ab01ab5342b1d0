package app.wallet.web;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.logging.AccessLog;
import reactor.netty.http.server.logging.AccessLogArgProvider;
import reactor.netty.http.logging.HttpMessageArgProvider;
import reactor.netty.http.logging.ReactorNettyHttpMessageLogFactory;
import tools.jackson.databind.json.JsonMapper;

import app.wallet.config.WalletProperties;

/**
 * What one instance's HTTP server lets a client hold: how many connections, how long a request may take
 * to arrive ({@code server.netty.idle-timeout} bounds the headers and idle keep-alive connections, since
 * Reactor Netty's idle handler runs until a whole request head is read), the answers and log lines of
 * requests the codec cannot read, and the access log.
 */
@Configuration(proxyBeanMethods = false)
class HttpServerLimits {

    @Bean
    NettyServerCustomizer walletServerLimits(WalletProperties properties, JsonMapper json) {
        WalletProperties.Http http = properties.http();
        return server -> server
                .maxConnections(http.maxConnections())
                .requestTimeout(http.requestTimeout())
                .httpMessageLogFactory(ShortDecodingFailureLog.INSTANCE)
                // Ours, not Reactor Netty's (reactor.netty.http.server.accessLogEnabled), whose lines carry queries.
                .accessLog(http.accessLog(), HttpServerLimits::withoutQuery)
                .doOnChannelInit((observer, channel, remote) -> {
                    var pipeline = channel.pipeline();
                    if (pipeline.get(NettyPipeline.HttpCodec) != null && pipeline.get(NettyPipeline.HttpTrafficHandler) != null) {
                        pipeline.addAfter(NettyPipeline.HttpCodec, UndecodableRequests.NAME, new UndecodableRequests(json));
                    }
                });
    }

    /** Reactor Netty's access log line, with the path alone: a query may hold a stream ticket. */
    private static AccessLog withoutQuery(AccessLogArgProvider request) {
        String uri = String.valueOf(request.uri());
        int query = uri.indexOf('?');
        return AccessLog.create("{} - {} [{}] \"{} {} {}\" {} {} {}", request.remoteAddress(), request.user(),
                request.accessDateTime(), request.method(), query < 0 ? uri : uri.substring(0, query), request.protocol(),
                request.status(), request.contentLength(), request.duration());
    }

    /**
     * The warning Reactor Netty logs for a request it cannot decode names the failure only, whatever the
     * client sent: a request with hundreds of headers must not write hundreds of log lines.
     */
    static final class ShortDecodingFailureLog extends ReactorNettyHttpMessageLogFactory {

        static final ShortDecodingFailureLog INSTANCE = new ShortDecodingFailureLog();

        @Override
        public String warn(HttpMessageArgProvider request) {
            var result = request.decoderResult();
            if (result == null || !result.isFailure()) {
                return "request";
            }
            String failure = result.cause().getClass().getSimpleName() + ": " + result.cause().getMessage();
            return failure.length() > 200 ? failure.substring(0, 200) + "..." : failure;
        }
    }
}
