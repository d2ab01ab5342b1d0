package app.wallet.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import redis.embedded.RedisServer;
import redis.embedded.core.RedisServerBuilder;

/**
 * A real Redis server for tests and for the local run: a container where Docker is available, otherwise
 * a {@code redis-server} child process: the system's where it is Redis 7 or newer, else the binary shipped
 * in the embedded-redis artifact (6.2).
 * Either way the service talks to a real Redis; there is no mock.
 */
public final class LocalRedis implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalRedis.class);
    private static volatile LocalRedis shared;
    private static final String SYSTEM_REDIS = "/usr/bin/redis-server";
    /**
     * The system's redis-server where it is 7 or newer (Debian's, which .ci/run installs): the artifact's
     * binary is 6.2, without sharded Pub/Sub.
     */
    static final boolean SYSTEM_REDIS_7 = systemRedisVersion() >= 7;

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
            // Every write is fsynced to an append-only file, so data survives a pause() and resume().
            Path dir = Files.createTempDirectory("redis-" + port);
            dir.toFile().deleteOnExit();
            RedisServerBuilder builder = RedisServer.newRedisServer();
            if (SYSTEM_REDIS_7) {
                builder.executableProvider(() -> new File(SYSTEM_REDIS));
            }
            for (String setting : settings) {
                builder.setting(setting);
            }
            RedisServer server = builder
                    .port(port)
                    .bind("127.0.0.1")
                    .setting("save \"\"")
                    .setting("dir " + dir)
                    .setting("appendonly yes")
                    .setting("appendfsync always")
                    .onShutdownForceStop(true)
                    .build();
            server.start();
            log.info("{} redis-server process started at 127.0.0.1:{}", SYSTEM_REDIS_7 ? "System (7+)" : "Embedded", port);
            return new LocalRedis("127.0.0.1", port, server::stop, server);
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

    private static int systemRedisVersion() {
        if (!Files.isExecutable(Path.of(SYSTEM_REDIS))) {
            return 0;
        }
        try {
            Process process = new ProcessBuilder(SYSTEM_REDIS, "--version").redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            Matcher version = Pattern.compile("v=(\\d+)\\.").matcher(output);
            return process.waitFor() == 0 && version.find() ? Integer.parseInt(version.group(1)) : 0;
        }
        catch (IOException e) {
            return 0;
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
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
