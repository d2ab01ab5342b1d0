package app.wallet.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Redis Cluster on loopback: one {@code redis-server} child process per node, joined with
 * {@code redis-cli --cluster create}. Nodes can be killed, restarted, frozen and thawed, so tests can
 * play failovers. Needs {@code redis-server} and {@code redis-cli} 7.0+ on the PATH (Debian: apt-get
 * install redis-server); without them {@link #start} throws rather than letting a test skip.
 */
public final class RedisCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisCluster.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CLI_TIMEOUT = Duration.ofSeconds(5);
    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.\\d+\\.\\d+");

    private final Path root;
    private final Map<Integer, Node> byPort = new LinkedHashMap<>();
    private final Thread shutdownHook = new Thread(this::close, "redis-cluster-shutdown");
    private volatile boolean closed;

    private RedisCluster(Path root) {
        this.root = root;
    }

    public static RedisCluster start(int masters, int replicasPerMaster) {
        requireVersion("redis-server");
        requireVersion("redis-cli");
        int count = masters * (1 + replicasPerMaster);
        // The bus port defaults to port + 10000, which overflows for ephemeral ports above 55535, so each
        // node gets its own free bus port too (--cluster-port, new in 7.0).
        Set<Integer> ports = new LinkedHashSet<>();
        while (ports.size() < 2 * count) {
            ports.add(LocalRedis.freePort());
        }
        Integer[] free = ports.toArray(new Integer[0]);
        RedisCluster cluster;
        try {
            cluster = new RedisCluster(Files.createTempDirectory("redis-cluster-"));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
        try {
            for (int i = 0; i < count; i++) {
                Node node = cluster.new Node(free[i], free[count + i]);
                cluster.byPort.put(node.port, node);
                node.launch();
            }
            for (Node node : cluster.byPort.values()) {
                node.awaitPing();
            }
            List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
            cluster.byPort.keySet().forEach(port -> create.add("127.0.0.1:" + port));
            create.addAll(List.of("--cluster-replicas", String.valueOf(replicasPerMaster), "--cluster-yes"));
            cluster.run(create, Duration.ofSeconds(60));
            cluster.awaitReady(masters, count);
            log.info("Redis Cluster up: {}", cluster.seedNodes());
            return cluster;
        }
        catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
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
            List<Entry> own = parseNodes(candidate.cli("cluster", "nodes"));
            boolean ownsAll = slots.stream().allMatch(
                    range -> ownerOf(own, range[0]) == candidate && ownerOf(own, range[1]) == candidate);
            boolean ok = "ok".equals(field(candidate.cli("cluster", "info"), "cluster_state"));
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
                String info = node.cli("cluster", "info");
                if (!"ok".equals(field(info, "cluster_state"))
                        || !String.valueOf(count).equals(field(info, "cluster_known_nodes"))) {
                    return null;
                }
                String replication = node.cli("info", "replication");
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
                return parseNodes(node.cli("cluster", "nodes"));
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

    /** Runs a short command, its output in files so no pipe can fill and stall it; returns stdout. */
    private String run(List<String> command, Duration timeout) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile(root, "cmd", ".out");
            err = Files.createTempFile(root, "cmd", ".err");
            Process process = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            process.getOutputStream().close();
            // A frozen node still accepts connections (the kernel does that) but never answers.
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout);
            }
            String stdout = Files.readString(out, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + process.exitValue()
                        + ": " + stdout + Files.readString(err, StandardCharsets.UTF_8));
            }
            return stdout;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted running " + command, e);
        }
        finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static void requireVersion(String binary) {
        String output;
        try {
            Process process = new ProcessBuilder(binary, "--version").redirectErrorStream(true).start();
            output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(10, TimeUnit.SECONDS);
        }
        catch (IOException e) {
            throw new IllegalStateException(
                    binary + " is not on the PATH; install Redis 7.0+ (apt-get install redis-server)", e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Matcher version = VERSION.matcher(output);
        if (!version.find() || Integer.parseInt(version.group(1)) < 7) {
            throw new IllegalStateException(binary + " 7.0+ is needed (for --cluster-port), found: " + output.strip());
        }
    }

    private static void deleteQuietly(Path path) {
        if (path != null) {
            path.toFile().delete();
        }
    }

    private record Entry(Node node, Set<String> flags, List<int[]> slots) {
    }

    /** One redis-server process; its port, bus port and directory outlive kills and restarts. */
    public final class Node {

        private final int port;
        private final int busPort;
        private final Path dir;
        private volatile Process process;
        private volatile boolean frozen;
        private volatile List<int[]> slotsWhenStopped = List.of();

        private Node(int port, int busPort) {
            this.port = port;
            this.busPort = busPort;
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

        /** Runs {@code redis-cli -p <port> args...} and returns its stdout, stripped. */
        public String cli(String... args) {
            List<String> command = new ArrayList<>(List.of("redis-cli", "-p", String.valueOf(port)));
            command.addAll(Arrays.asList(args));
            return run(command, CLI_TIMEOUT).strip();
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
                // Every option exists in 7.0 (cluster-port is the newest), which requireVersion checked,
                // so none is probed.
                // Validity factor 0: a replica may take over however long its link was down.
                // No reads when down: a test must not read stale data from a cut-off node.
                // No diskless-sync delay: the default 5 s, meant to batch replicas, slows every full sync.
                process = new ProcessBuilder("redis-server",
                        "--port", String.valueOf(port), "--cluster-port", String.valueOf(busPort),
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
                    String reply = run(List.of("redis-cli", "-p", String.valueOf(port), "ping"), Duration.ofSeconds(1));
                    if ("PONG".equals(reply.strip())) {
                        return;
                    }
                }
                catch (IllegalStateException notYet) {
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
            run(List.of("kill", signal, String.valueOf(pid())), CLI_TIMEOUT);
        }
    }
}
