package app.wallet.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisStreamAsyncCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.StringCodec;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The partitions' outbox streams as the relay reads and trims them, many partitions a round trip: a
 * connection of the relay's own whose commands are buffered and written together, one flush for all
 * the partitions of a pass (on a cluster, one for each master's share). Only one pass uses it at a time.
 */
@Component
public class OutboxStreams implements SmartLifecycle {

    private final LettuceConnectionFactory connections;
    private final WalletKeys keys;
    private volatile @Nullable Connected connected;

    private record Connected(StatefulConnection<String, String> connection, RedisStreamAsyncCommands<String, String> streams) {
    }

    /** A partition's oldest entries, as the scripts wrote them. */
    public record Read(int partition, List<Entry> entries) {
    }

    public record Entry(String id, Map<String, String> fields) {
    }

    OutboxStreams(LettuceConnectionFactory connections, WalletKeys keys) {
        this.connections = connections;
        this.keys = keys;
    }

    /** The oldest {@code count} entries of each partition, in the order of {@code partitions}. */
    public Mono<List<Read>> read(List<Integer> partitions, int count) {
        return Mono.defer(() -> {
            Connected current = require();
            List<CompletableFuture<List<StreamMessage<String, String>>>> ranges = new ArrayList<>(partitions.size());
            for (int partition : partitions) {
                ranges.add(current.streams().xrange(keys.outbox(partition), Range.unbounded(), Limit.from(count)).toCompletableFuture());
            }
            current.connection().flushCommands();
            return Mono.fromFuture(CompletableFuture.allOf(ranges.toArray(CompletableFuture[]::new))).then(Mono.fromSupplier(() -> {
                List<Read> reads = new ArrayList<>(partitions.size());
                for (int i = 0; i < partitions.size(); i++) {
                    List<Entry> entries = new ArrayList<>();
                    ranges.get(i).join().forEach(message -> entries.add(new Entry(message.getId(), message.getBody())));
                    reads.add(new Read(partitions.get(i), entries));
                }
                return reads;
            }));
        });
    }

    /** Deletes the given entries of each partition (published ones: safe whoever holds the partition now). */
    public Mono<Void> delete(Map<Integer, List<String>> ids) {
        return Mono.defer(() -> {
            Connected current = require();
            List<CompletableFuture<Long>> deletes = new ArrayList<>(ids.size());
            ids.forEach((partition, entryIds) ->
                    deletes.add(current.streams().xdel(keys.outbox(partition), entryIds.toArray(String[]::new)).toCompletableFuture()));
            current.connection().flushCommands();
            return Mono.fromFuture(CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new)));
        });
    }

    private Connected require() {
        Connected current = connected;
        if (current == null) {
            throw new IllegalStateException("The outbox connection is closed: the service is stopping or starting");
        }
        return current;
    }

    /** Connects while the context starts, after the connection factory (whose client it uses). */
    @Override
    public void start() {
        AbstractRedisClient client = connections.getRequiredNativeClient();
        if (client instanceof RedisClusterClient cluster) {
            StatefulRedisClusterConnection<String, String> connection = cluster.connect(StringCodec.UTF8);
            connection.setAutoFlushCommands(false);
            connected = new Connected(connection, connection.async());
        }
        else {
            StatefulRedisConnection<String, String> connection = ((RedisClient) client).connect(StringCodec.UTF8);
            connection.setAutoFlushCommands(false);
            connected = new Connected(connection, connection.async());
        }
    }

    @Override
    public void stop() {
        Connected current = connected;
        connected = null;
        if (current != null) {
            current.connection().closeAsync();
        }
    }

    @Override
    public boolean isRunning() {
        return connected != null;
    }

    @Override
    public int getPhase() {
        return 1;
    }
}
