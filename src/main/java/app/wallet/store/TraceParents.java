package app.wallet.store;

import java.util.HashMap;
import java.util.Map;

import io.micrometer.observation.Observation;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import io.micrometer.tracing.handler.TracingObservationHandler;
import io.micrometer.tracing.propagation.Propagator;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import reactor.util.context.ContextView;

/**
 * The W3C {@code traceparent} of the request a money change is made for, read from the observation the
 * HTTP server put in the Reactor context: the change's event carries it, so a consumer's span joins the
 * request's trace. Empty where there is no trace (tracing off, or a change made outside a request).
 */
@Component
public class TraceParents {

    private final @Nullable Propagator propagator;

    TraceParents(ObjectProvider<Propagator> propagator) {
        this.propagator = propagator.getIfUnique();
    }

    public String of(ContextView context) {
        Observation observation = context.getOrDefault(ObservationThreadLocalAccessor.KEY, null);
        if (propagator == null || observation == null) {
            return "";
        }
        TracingObservationHandler.TracingContext tracing = observation.getContext().get(TracingObservationHandler.TracingContext.class);
        if (tracing == null || tracing.getSpan() == null) {
            return "";
        }
        Map<String, String> carrier = new HashMap<>(4);
        propagator.inject(tracing.getSpan().context(), carrier, Map::put);
        return carrier.getOrDefault("traceparent", "");
    }
}
