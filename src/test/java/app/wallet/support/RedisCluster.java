package app.wallet.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Redis Cluster on loopback: one {@code redis-server} child process per node ({@link RedisBinary}),
 * joined over the wire as {@code redis-cli --cluster create} would join them (CLUSTER MEET, ADDSLOTS,
 * REPLICATE), so no {@code redis-cli} is needed. Nodes can be killed, restarted, frozen and thawed, so
 * tests can play failovers.
 */
public final class RedisCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisCluster.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
    private static final int SLOTS = 16384;
    /** Every node's cluster bus listens on its port + 10000, as Redis 6.2 (which has no --cluster-port) sets it. */
    private static final int BUS_OFFSET = 10000;

    private final Path root;
    private final Map<Integer, Node> byPort = new LinkedHashMap<>();
    private final Thread shutdownHook = new Thread(this::close, "redis-cluster-shutdown");
    private volatile boolean closed;

    private RedisCluster(Path root) {
        this.root = root;
    }

    public static RedisCluster start(int masters, int replicasPerMaster) {
        int count = masters * (1 + replicasPerMaster);
        List<Integer> ports = freePortPairs(count);
        RedisCluster cluster;
        try {
            cluster = new RedisCluster(Files.createTempDirectory("redis-cluster-"));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
        try {
            for (int port : ports) {
                Node node = cluster.new Node(port);
                cluster.byPort.put(node.port, node);
                node.launch();
            }
            for (Node node : cluster.byPort.values()) {
                node.awaitPing();
            }
            cluster.join(masters);
            cluster.awaitReady(masters, count);
            log.info("Redis Cluster up: {}", cluster.seedNodes());
            return cluster;
        }
        catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    /**
     * What {@code redis-cli --cluster create} does: distinct config epochs, every node met, master i given
     * the slots from {@code i * 16384 / masters} on, the other nodes made replicas of the masters in turn.
     */
    private void join(int masters) {
        List<Node> nodes = nodes();
        Map<Node, String> ids = new LinkedHashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            ids.put(node, node.call("CLUSTER", "MYID"));
            node.call("CLUSTER", "SET-CONFIG-EPOCH", String.valueOf(i + 1));
        }
        Node first = nodes.get(0);
        for (Node other : nodes.subList(1, nodes.size())) {
            first.call("CLUSTER", "MEET", "127.0.0.1", String.valueOf(other.port));
        }
        for (int i = 0; i < masters; i++) {
            List<String> addSlots = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
            for (int slot = i * SLOTS / masters; slot < (i + 1) * SLOTS / masters; slot++) {
                addSlots.add(String.valueOf(slot));
            }
            nodes.get(i).call(addSlots.toArray(String[]::new));
        }
        // A replica must know its master's id before it can follow it.
        await(READY_TIMEOUT, "every node to know every other", () -> nodes.stream().allMatch(node ->
                String.valueOf(nodes.size()).equals(field(node.call("CLUSTER", "INFO"), "cluster_known_nodes")))
                ? Boolean.TRUE : null);
        for (int i = masters; i < nodes.size(); i++) {
            Node master = nodes.get(i % masters);
            nodes.get(i).call("CLUSTER", "REPLICATE", ids.get(master));
        }
    }

    /**
     * Free ports whose port + 10000, the node's cluster bus, is free too; from a range where that sum stays
     * a valid port.
     */
    private static List<Integer> freePortPairs(int count) {
        Set<Integer> ports = new LinkedHashSet<>();
        for (int tries = 0; ports.size() < count; tries++) {
            if (tries > 10_000) {
                throw new IllegalStateException("No " + count + " free pairs of ports (p, p + 10000) on loopback");
            }
            int port = ThreadLocalRandom.current().nextInt(20_000, 65_535 - BUS_OFFSET);
            if (!ports.contains(port) && !ports.contains(port + BUS_OFFSET) && !ports.contains(port - BUS_OFFSET)
                    && isFree(port) && isFree(port + BUS_OFFSET)) {
                ports.add(port);
            }
        }
        return new ArrayList<>(ports);
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        }
        catch (IOException taken) {
            return false;
        }
    }

    public List<Node> nodes() {
        return List.copyOf(byPort.values());
    }

    /** Nodes that serve slots now, as a live node sees it; a confirmed-failed master is not counted. */
    public List<Node> masters() {
        return view(null).stream()
                .filter(entry -> entry.flags().contains("master") && !entry.flags().contains("fail")
                        && !entry.slots().isEmpty())
                .map(Entry::node)
                .sorted(Comparator.comparingInt(Node::port))
                .collect(Collectors.toList());
    }

    /**
     * The node the cluster configuration, as a live node sees it, assigns the slot to. That can be a
     * dead master until its failover completes.
     */
    public Node masterOfSlot(int slot) {
        return ownerOf(view(null), slot);
    }

    /** For {@code spring.data.redis.cluster.nodes}. */
    public String seedNodes() {
        return byPort.keySet().stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
    }

    /**
     * Waits until another node has taken over every slot {@code oldMaster} served when it was killed or
     * frozen, and that node itself reports {@code cluster_state:ok}. Returns the new master.
     */
    public Node awaitFailover(Node oldMaster, Duration max) {
        List<int[]> slots = oldMaster.slotsWhenStopped;
        if (slots.isEmpty()) {
            throw new IllegalArgumentException(oldMaster + " served no slots when it was killed or frozen");
        }
        long started = System.nanoTime();
        Node newMaster = await(max, "failover of " + oldMaster, () -> {
            Node candidate = ownerOf(view(oldMaster), slots.get(0)[0]);
            if (candidate == null || candidate == oldMaster || !candidate.running()) {
                return null;
            }
            // Other nodes may learn of the promotion before the replica has finished it, so ask it.
            List<Entry> own = parseNodes(candidate.call("CLUSTER", "NODES"));
            boolean ownsAll = slots.stream().allMatch(
                    range -> ownerOf(own, range[0]) == candidate && ownerOf(own, range[1]) == candidate);
            boolean ok = "ok".equals(field(candidate.call("CLUSTER", "INFO"), "cluster_state"));
            return ownsAll && ok ? candidate : null;
        });
        log.info("{} took over from {} in {} ms", newMaster, oldMaster,
                Duration.ofNanos(System.nanoTime() - started).toMillis());
        return newMaster;
    }

    /** SIGKILLs every process this cluster started and deletes their directories. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Node node : byPort.values()) {
            node.destroy();
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (IOException e) {
            log.warn("Could not delete {}: {}", root, e.toString());
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        }
        catch (IllegalStateException alreadyShuttingDown) {
            // close() is running from the hook itself.
        }
    }

    /**
     * Polls {@code probe} until it returns non-null; a probe that throws counts as "not yet", since nodes
     * are expected to be unreachable mid-failover.
     */
    public static <T> T await(Duration max, String what, Supplier<T> probe) {
        long deadline = System.nanoTime() + max.toNanos();
        RuntimeException last = null;
        while (true) {
            try {
                T result = probe.get();
                if (result != null) {
                    return result;
                }
            }
            catch (RuntimeException e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                IllegalStateException timeout =
                        new IllegalStateException("Timed out after " + max + " waiting for " + what);
                if (last != null) {
                    timeout.addSuppressed(last);
                }
                throw timeout;
            }
            sleep(100);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }

    /** The value of {@code name} in {@code INFO} or {@code CLUSTER INFO} output, or null. */
    public static String field(String info, String name) {
        return info.lines()
                .map(String::strip)
                .filter(line -> line.startsWith(name + ":"))
                .map(line -> line.substring(name.length() + 1))
                .findFirst()
                .orElse(null);
    }

    private void awaitReady(int masters, int count) {
        await(READY_TIMEOUT, "cluster_state:ok and linked replicas on every node", () -> {
            for (Node node : byPort.values()) {
                String info = node.call("CLUSTER", "INFO");
                if (!"ok".equals(field(info, "cluster_state"))
                        || !String.valueOf(count).equals(field(info, "cluster_known_nodes"))) {
                    return null;
                }
                String replication = node.call("INFO", "replication");
                if ("slave".equals(field(replication, "role"))
                        && !"up".equals(field(replication, "master_link_status"))) {
                    return null;
                }
            }
            return masters().size() == masters ? Boolean.TRUE : null;
        });
    }

    /** CLUSTER NODES as the first reachable node other than {@code skip} sees it. */
    private List<Entry> view(Node skip) {
        IllegalStateException failure = new IllegalStateException("No node answered CLUSTER NODES");
        for (Node node : byPort.values()) {
            if (node == skip || !node.running()) {
                continue;
            }
            try {
                return parseNodes(node.call("CLUSTER", "NODES"));
            }
            catch (RuntimeException e) {
                failure.addSuppressed(e);
            }
        }
        throw failure;
    }

    private List<Entry> parseNodes(String clusterNodes) {
        List<Entry> entries = new ArrayList<>();
        for (String line : clusterNodes.strip().split("\r?\n")) {
            // <id> <ip:port@cport[,hostname]> <flags> <master> <ping> <pong> <epoch> <link> <slot>...
            String[] parts = line.strip().split(" ");
            if (parts.length < 8) {
                continue;
            }
            String address = parts[1];
            int port = Integer.parseInt(address.substring(address.indexOf(':') + 1, address.indexOf('@')));
            Node node = byPort.get(port);
            if (node == null) {
                continue;
            }
            List<int[]> slots = new ArrayList<>();
            for (int i = 8; i < parts.length; i++) {
                if (parts[i].startsWith("[")) {
                    continue; // a slot being migrated or imported, not served
                }
                String[] range = parts[i].split("-");
                slots.add(new int[] { Integer.parseInt(range[0]), Integer.parseInt(range[range.length - 1]) });
            }
            entries.add(new Entry(node, new HashSet<>(Arrays.asList(parts[2].split(","))), slots));
        }
        return entries;
    }

    private static Node ownerOf(List<Entry> view, int slot) {
        for (Entry entry : view) {
            for (int[] range : entry.slots()) {
                if (entry.flags().contains("master") && range[0] <= slot && slot <= range[1]) {
                    return entry.node();
                }
            }
        }
        return null;
    }

    private record Entry(Node node, Set<String> flags, List<int[]> slots) {
    }

    /** One redis-server process; its port and directory outlive kills and restarts. */
    public final class Node {

        private final int port;
        private final Path dir;
        private volatile Process process;
        private volatile boolean frozen;
        private volatile List<int[]> slotsWhenStopped = List.of();

        private Node(int port) {
            this.port = port;
            this.dir = root.resolve(String.valueOf(port));
        }

        public int port() {
            return port;
        }

        public long pid() {
            return process.pid();
        }

        public Path dir() {
            return dir;
        }

        /** Sends one command to this node and returns its reply as redis-cli prints it; an error reply is thrown. */
        public String call(String... args) {
            return RedisWire.command(port, CALL_TIMEOUT, args).strip();
        }

        public synchronized void kill9() {
            rememberSlots();
            destroy();
        }

        private void destroy() {
            Process current = process;
            if (current != null && current.isAlive()) {
                // destroyForcibly is SIGKILL on Unix; waiting reaps it so the port is free for restart().
                current.destroyForcibly();
                try {
                    current.waitFor(10, TimeUnit.SECONDS);
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            frozen = false;
        }

        /** Starts again on the same port and directory, so the node rejoins from its nodes.conf. */
        public synchronized void restart() {
            if (process != null && process.isAlive()) {
                throw new IllegalStateException(this + " is still running");
            }
            launch();
            awaitPing();
        }

        public synchronized void freeze() {
            rememberSlots();
            signal("-STOP");
            frozen = true;
        }

        public synchronized void thaw() {
            signal("-CONT");
            frozen = false;
        }

        @Override
        public String toString() {
            return "redis node 127.0.0.1:" + port;
        }

        boolean running() {
            Process current = process;
            return current != null && current.isAlive() && !frozen;
        }

        private void launch() {
            try {
                Files.createDirectories(dir);
                // Every option exists in Redis 6.2 and later; the bus port is the default, port + 10000.
                // Validity factor 0: a replica may take over however long its link was down.
                // No reads when down: a test must not read stale data from a cut-off node.
                // No diskless-sync delay: the default 5 s, meant to batch replicas, slows every full sync.
                process = new ProcessBuilder(RedisBinary.get().path(),
                        "--port", String.valueOf(port),
                        "--bind", "127.0.0.1", "--protected-mode", "no", "--daemonize", "no",
                        "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                        "--cluster-node-timeout", "3000",
                        "--cluster-replica-validity-factor", "0", "--cluster-allow-reads-when-down", "no",
                        "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
                        "--repl-diskless-sync-delay", "0",
                        "--dir", dir.toString())
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
                        .start();
                process.getOutputStream().close();
                frozen = false;
            }
            catch (IOException e) {
                throw new IllegalStateException("Could not start redis-server for " + this, e);
            }
        }

        private void awaitPing() {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("redis-server for " + this + " exited with "
                            + process.exitValue() + "; log tail:\n" + logTail());
                }
                try {
                    // Short: whatever else holds the port may accept and never answer.
                    if ("PONG".equals(RedisWire.command(port, Duration.ofSeconds(1), "PING"))) {
                        return;
                    }
                }
                catch (RuntimeException notYet) {
                    // not listening yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(this + " did not answer PING within 10 s; log tail:\n" + logTail());
                }
                sleep(50);
            }
        }

        private String logTail() {
            try {
                List<String> lines = Files.readAllLines(dir.resolve("redis.log"));
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
            }
            catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }

        /** awaitFailover needs the slots this node served, which the cluster forgets once it fails over. */
        private void rememberSlots() {
            if (!running()) {
                return;
            }
            try {
                slotsWhenStopped = view(null).stream()
                        .filter(entry -> entry.node() == this && entry.flags().contains("master"))
                        .findFirst()
                        .map(Entry::slots)
                        .orElse(List.of());
            }
            catch (RuntimeException e) {
                slotsWhenStopped = List.of();
            }
        }

        private void signal(String signal) {
            try {
                Process kill = new ProcessBuilder("kill", signal, String.valueOf(pid())).redirectErrorStream(true).start();
                if (!kill.waitFor(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || kill.exitValue() != 0) {
                    throw new IllegalStateException("kill " + signal + " " + pid() + " failed");
                }
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
