package app.wallet.web;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * Requests the server cannot read as they are.
 *
 * <p>A request target with characters a URI may not hold ({@code %zz}, {@code {}, a quote) would be
 * answered 400 with an empty body before any filter sees it. Such characters are percent-encoded here
 * instead, so the request goes on to be refused by the firewall or the route's own checks, with a
 * problem like any other bad path or parameter.
 *
 * <p>Requests the HTTP codec cannot read (a request line over {@code server.netty.max-initial-line-length},
 * headers over {@code server.max-http-request-header-size}, a malformed or control character in a
 * header) never reach the application: Reactor Netty answers them itself, empty, and closes the
 * connection. This handler sits after the codec, notes the failure as the request passes, and gives
 * that answer a problem body with a code. Status, ordering and the connection's close stay Reactor
 * Netty's.
 */
final class UndecodableRequests extends ChannelDuplexHandler {

    static final String NAME = "wallet.undecodableRequests";

    private final JsonMapper json;
    private @Nullable ErrorCode failure;

    UndecodableRequests(JsonMapper json) {
        this.json = json;
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object message) {
        if (message instanceof HttpRequest request) {
            if (request.decoderResult().isFailure()) {
                failure = codeOf(request.decoderResult().cause());
            }
            else {
                request.setUri(escapeInvalid(request.uri()));
            }
        }
        context.fireChannelRead(message);
    }

    @Override
    public void write(ChannelHandlerContext context, Object message, ChannelPromise promise) {
        ErrorCode code = failure;
        if (code != null && message instanceof FullHttpResponse response && response.content().readableBytes() == 0
                && response.status().code() == code.status().value()) {
            failure = null;
            byte[] body = json.writeValueAsBytes(Problem.of(code, detail(code), java.util.List.of()));
            FullHttpResponse problem = new DefaultFullHttpResponse(response.protocolVersion(), response.status(),
                    Unpooled.wrappedBuffer(body));
            problem.headers().set(response.headers())
                    .set(HttpHeaderNames.CONTENT_TYPE, "application/problem+json")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            ReferenceCountUtil.release(response);
            context.write(problem, promise);
            return;
        }
        context.write(message, promise);
    }

    /**
     * The request target with every character a URI may not hold percent-encoded, including a {@code %}
     * that starts no escape; a valid target comes back as it is.
     */
    static String escapeInvalid(String target) {
        StringBuilder escaped = null;
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            boolean valid = c < 0x80 && (Character.isLetterOrDigit(c) || "-._~:/?#@!$&'()*+,;=".indexOf(c) >= 0
                    || c == '%' && isHex(target, i + 1) && isHex(target, i + 2));
            if (!valid && escaped == null) {
                escaped = new StringBuilder(target.length() + 16).append(target, 0, i);
            }
            if (escaped != null) {
                if (valid) {
                    escaped.append(c);
                }
                else {
                    // The request line arrives as ISO-8859-1: one char per byte.
                    escaped.append('%').append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
                }
            }
        }
        return escaped == null ? target : escaped.toString();
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private static boolean isHex(String text, int index) {
        return index < text.length() && Character.digit(text.charAt(index), 16) >= 0;
    }

    /** The same mapping Reactor Netty uses for the status. */
    private static ErrorCode codeOf(Throwable cause) {
        Throwable failure = cause instanceof TooLongFrameException || cause.getCause() == null ? cause : cause.getCause();
        if (failure instanceof TooLongHttpLineException) {
            return ErrorCode.URI_TOO_LONG;
        }
        if (failure instanceof TooLongHttpHeaderException) {
            return ErrorCode.HEADERS_TOO_LARGE;
        }
        return ErrorCode.INVALID_REQUEST;
    }

    private static String detail(ErrorCode code) {
        return switch (code) {
            case URI_TOO_LONG -> "The request line is longer than the server reads";
            case HEADERS_TOO_LARGE -> "The request's headers are larger than the server reads";
            default -> "The request is not well-formed HTTP/1.1 (a malformed header, or a control character in one)";
        };
    }
}
