package app.wallet.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import app.wallet.support.RedisCluster.Node;

class RedisClusterTest {

    @Test
    @Timeout(value = 40, unit = TimeUnit.SECONDS)
    void aKilledMasterFailsOverAndRejoinsAsAReplica() {
        try (RedisCluster cluster = RedisCluster.start(3, 1)) {
            assertEquals(6, cluster.nodes().size());
            assertEquals(3, cluster.masters().size());

            Node any = cluster.nodes().get(0);
            Node oldMaster = cluster.masterOfSlot(Integer.parseInt(any.call("CLUSTER", "KEYSLOT", "k")));
            assertEquals("OK", oldMaster.call("SET", "k", "v"));
            // Replication is asynchronous: without this the kill could beat the write to the replica. (A
            // WAIT here would count only its own connection's writes, none: each call is a connection of its own.)
            long written = Long.parseLong(RedisCluster.field(oldMaster.call("INFO", "replication"), "master_repl_offset"));
            RedisCluster.await(Duration.ofSeconds(10), "the write to reach the replica", () -> {
                String replica = RedisCluster.field(oldMaster.call("INFO", "replication"), "slave0");
                return replica != null && Long.parseLong(replica.replaceAll(".*offset=(\\d+).*", "$1")) >= written
                        ? Boolean.TRUE : null;
            });

            oldMaster.kill9();
            Node newMaster = cluster.awaitFailover(oldMaster, Duration.ofSeconds(15));
            assertNotEquals(oldMaster, newMaster);
            assertEquals("v", newMaster.call("GET", "k"));

            oldMaster.restart();
            RedisCluster.await(Duration.ofSeconds(15), oldMaster + " to rejoin as a replica", () -> {
                String replication = oldMaster.call("INFO", "replication");
                boolean rejoined = "slave".equals(RedisCluster.field(replication, "role"))
                        && String.valueOf(newMaster.port()).equals(RedisCluster.field(replication, "master_port"))
                        && "up".equals(RedisCluster.field(replication, "master_link_status"));
                return rejoined ? Boolean.TRUE : null;
            });
            assertEquals(3, cluster.masters().size());
            assertFalse(cluster.masters().contains(oldMaster));
        }
    }
}
