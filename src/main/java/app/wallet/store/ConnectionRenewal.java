package app.wallet.store;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisServerCommands;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.types.RedisClientInfo;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Drops this instance's Redis connections so that Lettuce opens them anew, for when replies have come
 * out of step with requests (see {@link WalletScripts}). Redis closes them (CLIENT KILL), found by this
 * instance's {@link RedisClientName}: Spring does not hand out the shared reactive connection, and
 * Lettuce reconnects a connection the server closed by itself, failing what was in flight on it.
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
        try (RedisConnection connection = connections.getConnection()) {
            RedisServerCommands server = connection.serverCommands();
            // The connection giving the orders renames itself for the while, so it is not among those it
            // closes: it is the blocking API's own, and its replies never went through the reactive path.
            server.setClientName((name.value() + "-renewing").getBytes(StandardCharsets.UTF_8));
            try {
                List<RedisClientInfo> own = server.getClientList().stream()
                        .filter(client -> name.value().equals(client.getName()))
                        .toList();
                for (RedisClientInfo client : own) {
                    String address = client.getAddressPort();
                    int colon = address.lastIndexOf(':');
                    server.killClient(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
                }
                return own.size();
            }
            finally {
                server.setClientName(name.value().getBytes(StandardCharsets.UTF_8));
            }
        }
    }
}
