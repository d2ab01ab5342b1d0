package app.wallet.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Waits until replicas have a master's recent writes, for many changes at once (group commit).
 *
 * <p>{@code WAIT} counts the writes of the connection it arrives on and blocks that connection while it
 * waits: sent behind each script on the scripts' connection it would run one script per replica round
 * trip, and, with a replica down, queue every later script behind a one-second wait. So the scripts run
 * on their own connection, never blocked, and a change whose script has answered joins the next fence
 * on the master that ran it: on a second connection, a write ({@code INCR} of a fence key in a slot of
 * that master) and {@code WAIT} behind it. A master replicates its writes in order, so replicas that
 * have the fence have every change made before it. One fence is in flight per master at a time; the
 * changes that answer meanwhile share the next one.
 */
final class ReplicaFences {

    private final int replicas;
    private final Duration timeout;
    private final Map<String, Fence> fences = new ConcurrentHashMap<>();

    ReplicaFences(int replicas, Duration timeout) {
        this.replicas = replicas;
        this.timeout = timeout;
    }

    /**
     * Completes once {@code replicas} replicas have every write the master behind {@code connection} made
     * before this call; {@link StoreException.Unavailable} if fewer acknowledge within the timeout (the
     * change may have applied: an Idempotency-Key retry settles it).
     *
     * @param master names the master ({@code host:port}), so changes on one master share its fences
     * @param fenceKey a key in a slot of that master
     */
    Mono<Void> await(String master, StatefulRedisConnection<String, String> connection, String fenceKey) {
        return fences.computeIfAbsent(master, name -> new Fence()).join(connection, fenceKey);
    }

    private final class Fence {

        private List<Sinks.One<Void>> waiting = new ArrayList<>();
        private boolean inFlight;
        private StatefulRedisConnection<String, String> connection;
        private String fenceKey;

        Mono<Void> join(StatefulRedisConnection<String, String> via, String key) {
            Sinks.One<Void> done = Sinks.one();
            boolean send;
            synchronized (this) {
                waiting.add(done);
                connection = via;
                fenceKey = key;
                send = !inFlight;
                inFlight = true;
            }
            if (send) {
                send();
            }
            return done.asMono();
        }

        private void send() {
            List<Sinks.One<Void>> batch;
            StatefulRedisConnection<String, String> via;
            String key;
            synchronized (this) {
                batch = waiting;
                waiting = new ArrayList<>();
                via = connection;
                key = fenceKey;
            }
            AsyncCommand<String, String, Long> write = new AsyncCommand<>(new Command<>(CommandType.INCR,
                    new IntegerOutput<>(StringCodec.UTF8), new CommandArgs<>(StringCodec.UTF8).addKey(key)));
            AsyncCommand<String, String, Long> wait = new AsyncCommand<>(new Command<>(CommandType.WAIT,
                    new IntegerOutput<>(StringCodec.UTF8),
                    new CommandArgs<>(StringCodec.UTF8).add(replicas).add(timeout.toMillis())));
            try {
                via.dispatch(List.of(write, wait));
            }
            catch (RuntimeException notSent) {
                finish(batch, notSent);
                return;
            }
            Mono.fromFuture(write).then(Mono.fromFuture(wait))
                    .flatMap(acknowledged -> acknowledged < replicas
                            ? Mono.<Void>error(new StoreException.Unavailable("NOREPLICAS " + acknowledged + " of the " + replicas
                                    + " replica(s) required acknowledged the change within " + timeout.toMillis() + " ms", null))
                            : Mono.<Void>empty())
                    .subscribe(null,
                            error -> finish(batch, error),
                            () -> finish(batch, null));
        }

        private void finish(List<Sinks.One<Void>> batch, @Nullable Throwable error) {
            // The next fence first: whatever answering this batch does, the others must not wait on it.
            boolean again;
            synchronized (this) {
                again = !waiting.isEmpty();
                inFlight = again;
            }
            if (again) {
                send();
            }
            for (Sinks.One<Void> done : batch) {
                if (error == null) {
                    done.tryEmitEmpty();
                }
                else {
                    done.tryEmitError(error);
                }
            }
        }
    }
}
