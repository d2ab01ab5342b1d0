package app.wallet.store;

import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.stereotype.Component;

/**
 * UUIDv7 identifiers (RFC 9562): a millisecond timestamp, then a 12-bit counter, then random bits.
 * The counter makes ids from one instance strictly increasing even within a millisecond, which the
 * withdrawal index relies on for newest-first paging.
 */
@Component
public class TimeOrderedIds {

    private final Clock clock;
    /** Last issued (millis << 12 | counter). */
    private final AtomicLong last = new AtomicLong();

    public TimeOrderedIds(Clock clock) {
        this.clock = clock;
    }

    public String next() {
        long now = clock.millis() << 12;
        long stamp = last.updateAndGet(previous -> Math.max(now, previous + 1));
        long millis = stamp >>> 12;
        long counter = stamp & 0xFFF;
        long msb = (millis << 16) | 0x7000L | counter;
        long lsb = (ThreadLocalRandom.current().nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    /** A string that sorts after every id made before {@code millis} and before every id made at or after it. */
    public static String lowerBound(long millis) {
        return String.format("%08x-%04x", millis >>> 16, millis & 0xFFFF);
    }

    /** True for the canonical lower-case form of a version 7 UUID. */
    public static boolean isValid(String id) {
        return id.matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    }
}
