package app.wallet.store;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.IntegerOutput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.RedisServerCommands;
import org.springframework.data.redis.connection.lettuce.LettuceConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Drops this instance's Redis connections so that Lettuce opens them anew, for when replies have come
 * out of step with requests (see {@link WalletScripts}). Redis closes them (CLIENT KILL ID), found in
 * CLIENT LIST by this instance's {@link RedisClientName}: Spring does not hand out the shared reactive
 * connection, and Lettuce reconnects a connection the server closed, failing what was in flight on it.
 */
@Component
public class ConnectionRenewal {

    private static final Logger log = LoggerFactory.getLogger(ConnectionRenewal.class);

    private final LettuceConnectionFactory connections;
    private final RedisClientName name;
    private final AtomicBoolean renewing = new AtomicBoolean();

    ConnectionRenewal(LettuceConnectionFactory connections, RedisClientName name) {
        this.connections = connections;
        this.name = name;
    }

    /** Starts a renewal unless one is under way; never blocks the caller. */
    public void renew() {
        if (!renewing.compareAndSet(false, true)) {
            return;
        }
        // CLIENT LIST and CLIENT KILL go over the blocking API, so off the event loops.
        Mono.fromCallable(this::killOwnConnections)
                .subscribeOn(Schedulers.boundedElastic())
                .doFinally(signal -> renewing.set(false))
                .subscribe(killed -> log.warn("Closed {} Redis connection(s) of {}; Lettuce reconnects them", killed, name.value()),
                        error -> log.error("Could not renew the Redis connections of {}: {}", name.value(), error.toString()));
    }

    private int killOwnConnections() {
        // The Lettuce connection, for a command whose integer reply Spring's plain execute() cannot read.
        try (LettuceConnection connection = (LettuceConnection) connections.getConnection()) {
            RedisServerCommands server = connection.serverCommands();
            // The connection giving the orders renames itself for the while, so it is not among those it
            // closes: it is the blocking API's own, and its replies never went through the reactive path.
            server.setClientName(bytes(name.value() + "-renewing"));
            try {
                List<String> ids = server.getClientList().stream()
                        .filter(client -> name.value().equals(client.getName()))
                        .map(client -> client.get("id"))
                        .toList();
                int killed = 0;
                for (String id : ids) {
                    // By id, which Redis never reuses: one that has gone meanwhile counts 0 instead of failing
                    // the rest, and no other client can have taken its place.
                    Object count = connection.execute("CLIENT", new IntegerOutput<>(ByteArrayCodec.INSTANCE),
                            bytes("KILL"), bytes("ID"), bytes(id));
                    killed += count instanceof Number n ? n.intValue() : 0;
                }
                return killed;
            }
            finally {
                server.setClientName(bytes(name.value()));
            }
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
