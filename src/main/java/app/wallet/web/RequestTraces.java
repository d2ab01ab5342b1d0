package app.wallet.web;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.handler.TracingObservationHandler;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.web.server.ServerWebExchange;

/**
 * Puts a request's trace and span ids into the logging context (the {@code traceId} and {@code spanId} that
 * Spring Boot's log pattern and structured formats print) for the lines the service logs about that request.
 * Automatic context propagation ({@code spring.reactor.context-propagation=auto}) would do it for every line on
 * every thread, at a measured quarter more CPU per change; the request's own observation is on its exchange.
 */
final class RequestTraces {

    private static final String TRACE_ID = "traceId";
    private static final String SPAN_ID = "spanId";

    private RequestTraces() {
    }

    /**
     * Until closed, log lines on this thread carry the request's trace; a no-op where it has none. What the
     * logging context held before (another request's ids left on this thread, say) is put back at close.
     */
    static Scope inLogs(ServerWebExchange exchange) {
        Span span = span(exchange);
        if (span == null || span.context().traceId().isEmpty()) {
            return () -> { };
        }
        String previousTrace = MDC.get(TRACE_ID);
        String previousSpan = MDC.get(SPAN_ID);
        MDC.put(TRACE_ID, span.context().traceId());
        MDC.put(SPAN_ID, span.context().spanId());
        return () -> {
            restore(TRACE_ID, previousTrace);
            restore(SPAN_ID, previousSpan);
        };
    }

    private static void restore(String key, @Nullable String previous) {
        if (previous == null) {
            MDC.remove(key);
        }
        else {
            MDC.put(key, previous);
        }
    }

    interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    private static @Nullable Span span(ServerWebExchange exchange) {
        ServerRequestObservationContext context = ServerRequestObservationContext.findCurrent(exchange.getAttributes()).orElse(null);
        TracingObservationHandler.TracingContext tracing =
                context == null ? null : context.get(TracingObservationHandler.TracingContext.class);
        return tracing == null ? null : tracing.getSpan();
    }
}
