package app.wallet.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import redis.embedded.RedisServer;
import redis.embedded.core.RedisServerBuilder;

/**
 * A real Redis server for tests and for the local run: a container where Docker is available, otherwise
 * a {@code redis-server} child process ({@link RedisBinary}: the PATH's where it is Redis 7 or newer, else
 * the one shipped in the embedded-redis artifact).
 * Either way the service talks to a real Redis; there is no mock.
 */
public final class LocalRedis implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalRedis.class);
    private static volatile LocalRedis shared;

    private final String host;
    private final int port;
    private final AutoCloseable server;
    private final RedisServer process;

    private LocalRedis(String host, int port, AutoCloseable server, RedisServer process) {
        this.host = host;
        this.port = port;
        this.server = server;
        this.process = process;
    }

    /** One server for the whole JVM; tests keep apart by using fresh wallet ids, never by flushing. */
    public static LocalRedis shared() {
        if (shared == null) {
            synchronized (LocalRedis.class) {
                if (shared == null) {
                    shared = start();
                    Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "redis-shutdown"));
                }
            }
        }
        return shared;
    }

    /** A container if Docker answers, else a redis-server process. */
    public static LocalRedis start() {
        if (dockerAvailable()) {
            GenericContainer<?> container = new GenericContainer<>("redis:7.4-alpine").withExposedPorts(6379);
            container.start();
            log.info("Redis container started at {}:{}", container.getHost(), container.getMappedPort(6379));
            return new LocalRedis(container.getHost(), container.getMappedPort(6379), container, null);
        }
        return startProcess();
    }

    /**
     * Always a redis-server process, which a test can stop and start again on the same port to play an
     * outage.
     */
    public static LocalRedis startProcess(String... settings) {
        int port = freePort();
        try {
            // Every write is fsynced to an append-only file, so data survives a pause() and resume(). The
            // directory goes with the server (close()).
            Path dir = Files.createTempDirectory("redis-" + port);
            RedisServerBuilder builder = RedisServer.newRedisServer();
            builder.executableProvider(RedisBinary.get()::file)
                    .port(port)
                    .bind("127.0.0.1")
                    .setting("save \"\"")
                    .setting("dir " + dir)
                    .setting("appendonly yes")
                    .setting("appendfsync always")
                    .onShutdownForceStop(true);
            // After the defaults: the last of a setting given twice is the one Redis takes.
            for (String setting : settings) {
                builder.setting(setting);
            }
            RedisServer server = builder.build();
            server.start();
            log.info("{} started at 127.0.0.1:{}", RedisBinary.get(), port);
            return new LocalRedis("127.0.0.1", port, () -> {
                server.stop();
                deleteTree(dir);
            }, server);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Could not start redis-server", e);
        }
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** Stops a process-backed server, keeping its port for {@link #resume()}. */
    public void pause() throws IOException {
        process.stop();
    }

    public void resume() throws IOException {
        process.start();
    }

    @Override
    public void close() {
        try {
            server.close();
        }
        catch (Exception e) {
            log.warn("Could not stop Redis cleanly: {}", e.toString());
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    static boolean dockerAvailable() {
        // Asking Testcontainers where there is plainly no Docker only logs a page of errors.
        if (Boolean.getBoolean("wallet.tests.no-docker")
                || (System.getenv("DOCKER_HOST") == null && !Files.exists(Path.of("/var/run/docker.sock")))) {
            return false;
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        }
        catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
