package app.wallet.store;

import java.util.UUID;

/**
 * The name every Redis connection of this instance gives itself (CLIENT SETNAME, on each connect and
 * reconnect), unique per instance so that {@link ConnectionRenewal} can find this instance's own
 * connections in CLIENT LIST and leave every other instance's alone.
 */
public record RedisClientName(String value) {

    public static RedisClientName forInstance(String application) {
        return new RedisClientName(application + "-" + UUID.randomUUID());
    }
}
