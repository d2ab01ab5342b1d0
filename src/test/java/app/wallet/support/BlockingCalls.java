package app.wallet.support;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Pattern;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import reactor.blockhound.BlockingMethod;

/**
 * The blocking calls BlockHound saw on non-blocking threads, and the check that fails a test for them.
 *
 * <p>BlockHound's default is to throw from inside the blocking call. On a Lettuce or Netty event loop
 * that Error can surface in the middle of the client's own bookkeeping (between queueing a command and
 * writing it, say) and leave the connection's replies out of step with its requests, so one blocking
 * call would turn into dozens of unrelated failures. Recorded instead, it fails the test it happened in
 * (or, if a background thread made it, the next test to finish), with the stack of the call.
 * Nothing is logged from the callback: logging takes locks of its own.
 */
public final class BlockingCalls implements AfterEachCallback {

    private static final ConcurrentLinkedQueue<AssertionError> SEEN = new ConcurrentLinkedQueue<>();
    private static final Pattern JDK_AND_BLOCKHOUND = Pattern.compile("(java|javax|jdk|sun|com\\.sun|reactor\\.blockhound)\\.");

    /** For BlockHound's blocking-method callback: keeps the call and the stack that made it. */
    static void record(BlockingMethod method) {
        StackTraceElement[] stack = new Throwable().getStackTrace();
        AssertionError call = new AssertionError("Blocking call " + method + " on non-blocking thread "
                + Thread.currentThread().getName() + ", in " + caller(stack));
        call.setStackTrace(stack);
        SEEN.add(call);
    }

    /** The first frame outside the JDK and BlockHound: named in the message, as a build log may show only that. */
    private static String caller(StackTraceElement[] stack) {
        return Arrays.stream(stack)
                .filter(frame -> !JDK_AND_BLOCKHOUND.matcher(frame.getClassName()).lookingAt()
                        && !frame.getClassName().equals(BlockingCalls.class.getName()))
                .findFirst().map(StackTraceElement::toString).orElse("an unknown frame");
    }

    /** The calls recorded since the last drain, oldest first. */
    public static List<AssertionError> drain() {
        List<AssertionError> seen = new ArrayList<>();
        for (AssertionError call; (call = SEEN.poll()) != null; ) {
            seen.add(call);
        }
        return seen;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<AssertionError> seen = drain();
        if (!seen.isEmpty()) {
            AssertionError failure = new AssertionError(seen.size() + " blocking call(s) on non-blocking threads; first: "
                    + seen.get(0).getMessage(), seen.get(0));
            seen.stream().skip(1).limit(20).forEach(failure::addSuppressed);
            throw failure;
        }
    }
}
