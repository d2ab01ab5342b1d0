package app.wallet.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.core.ExecutableProvider;

/**
 * The {@code redis-server} every test process runs: the one on the PATH where it is Redis 7 or newer
 * (Debian's, which {@code .ci/run} installs), else the 6.2 binary shipped in the embedded-redis artifact,
 * so the tests need nothing but a JDK. Both serve everything the tests use: a lone server, replication and
 * cluster mode (a cluster is formed over the wire, see {@link RedisCluster}).
 */
public final class RedisBinary {

    private static final Logger log = LoggerFactory.getLogger(RedisBinary.class);
    private static final Pattern VERSION = Pattern.compile("v=(\\d+)\\.(\\d+)\\.(\\d+)");

    private static volatile RedisBinary resolved;

    private final File file;
    private final int major;
    private final String version;

    private RedisBinary(File file, String version) {
        this.file = file;
        this.version = version;
        this.major = Integer.parseInt(version.substring(0, version.indexOf('.')));
    }

    /** Resolved once per JVM: the artifact's binary is copied out of its jar the first time only. */
    public static RedisBinary get() {
        if (resolved == null) {
            synchronized (RedisBinary.class) {
                if (resolved == null) {
                    resolved = resolve();
                }
            }
        }
        return resolved;
    }

    public File file() {
        return file;
    }

    public String path() {
        return file.getAbsolutePath();
    }

    /** The major version: 7 or more for a system Redis, 6 for the artifact's. */
    public int major() {
        return major;
    }

    private static RedisBinary resolve() {
        String onPath = versionOf("redis-server");
        if (onPath != null && Integer.parseInt(onPath.substring(0, onPath.indexOf('.'))) >= 7) {
            try {
                File file = ExecutableProvider.newExecutableInPath("redis-server").get();
                log.info("redis-server {} from the PATH ({})", onPath, file);
                return new RedisBinary(file, onPath);
            }
            catch (IOException e) {
                log.info("redis-server answered but could not be located on the PATH: {}", e.toString());
            }
        }
        try {
            File file = ExecutableProvider.newJarResourceProvider().get();
            String version = versionOf(file.getAbsolutePath());
            if (version == null) {
                throw new IllegalStateException("The embedded-redis artifact's redis-server (" + file + ") does not run "
                        + "here; install Redis 7.0+ (apt-get install redis-server)");
            }
            log.info("The embedded-redis artifact's redis-server {} ({}){}", version, file,
                    onPath == null ? ": none on the PATH" : ": the PATH's is " + onPath);
            return new RedisBinary(file, version);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Could not copy redis-server out of the embedded-redis artifact", e);
        }
    }

    /** {@code 7.0.15} for a binary that runs and says its version, else null (none on the PATH, a stub). */
    private static String versionOf(String binary) {
        try {
            Process process = new ProcessBuilder(binary, "--version").redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
                return null;
            }
            Matcher version = VERSION.matcher(output);
            return version.find() ? version.group(1) + "." + version.group(2) + "." + version.group(3) : null;
        }
        catch (IOException e) {
            return null;
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    @Override
    public String toString() {
        return "redis-server " + version + " (" + file + ")";
    }
}
