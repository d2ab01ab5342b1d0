package app.wallet.web;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
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
 *
 * <p>A request in an HTTP version other than 1.x ({@code HTTP/2.0} without TLS, {@code HTTP/3.0},
 * {@code HTTP/0.9}) is answered here, 400 with a problem, and its connection closed.
 */
final class UndecodableRequests extends ChannelDuplexHandler {

    static final String NAME = "wallet.undecodableRequests";

    private final JsonMapper json;
    private @Nullable ErrorCode failure;
    /** A request in a version the server does not speak was answered: the rest of the connection is dropped. */
    private boolean refused;

    UndecodableRequests(JsonMapper json) {
        this.json = json;
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object message) {
        if (refused) {
            ReferenceCountUtil.release(message);
            return;
        }
        if (message instanceof HttpRequest request && request.decoderResult().isSuccess()
                && request.protocolVersion().majorVersion() != 1) {
            // The codec reads any "NAME/major.minor" as a version, and Reactor Netty would serve HTTP/3.0 or
            // HTTP/0.9 as if it were 1.1, or answer HTTP/2.0 with an empty 400. HTTP/1.2 is served as 1.1,
            // as RFC 9110 asks of a minor version above the highest one known.
            refused = true;
            ReferenceCountUtil.release(message);
            String detail = "The request is in " + request.protocolVersion().text() + ", which this server does not speak: "
                    + "send HTTP/1.1";
            FullHttpResponse problem = problem(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST, ErrorCode.INVALID_REQUEST, detail);
            problem.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            context.writeAndFlush(problem).addListener(ChannelFutureListener.CLOSE);
            return;
        }
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
            FullHttpResponse problem = problem(response.protocolVersion(), response.status(), code, detail(code));
            problem.headers().set(response.headers())
                    .set(HttpHeaderNames.CONTENT_TYPE, "application/problem+json")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, problem.content().readableBytes());
            ReferenceCountUtil.release(response);
            context.write(problem, promise);
            return;
        }
        context.write(message, promise);
    }

    private FullHttpResponse problem(HttpVersion version, HttpResponseStatus status, ErrorCode code, String detail) {
        byte[] body = json.writeValueAsBytes(Problems.detail(code, detail, java.util.List.of()));
        FullHttpResponse problem = new DefaultFullHttpResponse(version, status, Unpooled.wrappedBuffer(body));
        problem.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/problem+json")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return problem;
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
