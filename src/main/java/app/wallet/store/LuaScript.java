package app.wallet.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * A script whose text and SHA-1 are fixed when it is built. {@code DefaultRedisScript} takes a lock on
 * every call to check whether its source changed, which parks event-loop threads under load.
 */
@SuppressWarnings("rawtypes")
public record LuaScript(String name, String text, String sha1) implements RedisScript<List> {

    private static final String MONEY_HELPERS = "_common";

    public static final LuaScript CREDIT = load("credit", MONEY_HELPERS);
    public static final LuaScript WITHDRAW = load("withdraw", MONEY_HELPERS);
    /** Approves, rejects or expires a PENDING withdrawal, the outcome an argument. */
    public static final LuaScript SETTLE = load("settle", MONEY_HELPERS);
    /** A wallet's own withdrawal policy; not a money change, so no helpers. */
    public static final LuaScript POLICY_SET = load("policy-set");
    public static final LuaScript ALERT_ADD = load("alert-add");
    public static final LuaScript ALERT_REMOVE = load("alert-remove");
    public static final LuaScript OUTBOX_ASSIGN = load("outbox-assign");
    public static final LuaScript OUTBOX_RELEASE = load("outbox-release");
    /** Every script the service runs, loaded into Redis when it connects. */
    public static final List<LuaScript> ALL =
            List.of(CREDIT, WITHDRAW, SETTLE, POLICY_SET, ALERT_ADD, ALERT_REMOVE, OUTBOX_ASSIGN, OUTBOX_RELEASE);

    /**
     * The script {@code lua/<name>.lua} from the classpath, after the helper files it uses (Redis runs
     * one text per script, so shared helpers are prepended). Read once, at start-up: a script built from
     * a resource would re-read the file for its SHA-1, blocking file I/O on the request path.
     */
    public static LuaScript load(String name, String... helpers) {
        StringBuilder text = new StringBuilder();
        for (String helper : helpers) {
            text.append(read(helper)).append('\n');
        }
        return of(name, text.append(read(name)).toString());
    }

    private static String read(String name) {
        try {
            return new ClassPathResource("lua/" + name + ".lua").getContentAsString(StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Missing Lua script " + name, e);
        }
    }

    public static LuaScript of(String name, String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
            return new LuaScript(name, text, HexFormat.of().formatHex(digest));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JVM", e);
        }
    }

    @Override
    public String getSha1() {
        return sha1;
    }

    @Override
    public Class<List> getResultType() {
        return List.class;
    }

    @Override
    public String getScriptAsString() {
        return text;
    }
}
