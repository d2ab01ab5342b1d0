package app.wallet.store;

import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.regex.Pattern;

import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.QueryTimeoutException;
import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.RedisConnectionFailureException;

/**
 * Why the wallet store did not do what it was asked, in the domain's terms: a request it refused (a
 * change a script refused, or a wallet or withdrawal that is not there), or a store that cannot answer now. The HTTP edge alone turns these into
 * problems; the features only throw or pass them on.
 */
public abstract sealed class StoreException extends RuntimeException {

    private StoreException(String message, Throwable cause) {
        super(message, cause, false, false);
    }

    /**
     * A request refused, with why: a change a script refused, or a read of what is not there.
     * {@code replayed} marks a refusal that an idempotency record returned again.
     */
    public static final class Refused extends StoreException {

        private final Refusal reason;
        private final ScriptOutcome.@Nullable Remaining remaining;
        private final boolean replayed;

        public Refused(Refusal reason, String detail, ScriptOutcome.@Nullable Remaining remaining, boolean replayed) {
            super(detail, null);
            this.reason = reason;
            this.remaining = remaining;
            this.replayed = replayed;
        }

        public static Refused noWallet(String userId) {
            return new Refused(Refusal.WALLET_NOT_FOUND, "No wallet for user " + userId, null, false);
        }

        public static Refused noWithdrawal(String withdrawalId) {
            return new Refused(Refusal.WITHDRAWAL_NOT_FOUND, "No withdrawal " + withdrawalId, null, false);
        }

        /** What the withdrawal limits still allow, for {@link Refusal#WITHDRAWAL_LIMIT_EXCEEDED}. */
        public ScriptOutcome.@Nullable Remaining remaining() {
            return remaining;
        }

        public Refusal reason() {
            return reason;
        }

        public boolean replayed() {
            return replayed;
        }
    }

    /**
     * Redis cannot answer now: unreachable, loading its data, failing over, or fewer replicas than required
     * acknowledged a change in time. A change sent before the failure may have run, whole or not at all:
     * the client learns which by retrying with its Idempotency-Key.
     */
    public static final class Unavailable extends StoreException {

        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final Pattern CONNECTION_LOST =
            Pattern.compile("not connected|^Connection (disconnected|closed|is closed)");
    /**
     * Error replies with which Redis says "not now": loading its data, running a long script, failing over,
     * a replica not yet promoted, too few replicas to accept a write, a slot now served by another node
     * (MOVED, ASK: the client's view of the cluster is behind). The command did not run.
     */
    private static final Pattern TRY_LATER =
            Pattern.compile("^(LOADING|BUSY|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|READONLY|NOREPLICAS|MOVED|ASK)( |$)");

    /**
     * Whether a failure means Redis cannot answer now: a refused, lost, reset or timed-out connection, or
     * Redis's "try later" error replies. Lettuce has no exception type of its own for most of these: it
     * answers at once while the connection is down ("Currently not connected"), fails the commands in
     * flight when it drops ("Connection disconnected", "Connection closed") or hands on the socket's own
     * error, and passes Redis's error replies on as text.
     */
    public static boolean isUnavailable(Throwable error) {
        boolean redis = false;
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof Unavailable || t instanceof RedisConnectionFailureException || t instanceof QueryTimeoutException
                    || t instanceof RedisConnectionException || t instanceof RedisCommandTimeoutException
                    || t instanceof java.net.ConnectException) {
                return true;
            }
            if (t instanceof RedisException || t instanceof DataAccessException) {
                redis = true;
                String message = String.valueOf(t.getMessage());
                if (t instanceof RedisException && CONNECTION_LOST.matcher(message).find() || TRY_LATER.matcher(message).find()) {
                    return true;
                }
            }
            else if (redis && t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /** {@code error} as the store's own failure where it means Redis cannot answer now, else as it is. */
    static Throwable translate(Throwable error) {
        if (error instanceof StoreException) {
            return error;
        }
        // Lettuce cancels what is in flight on a node connection it closes (the topology changed) and hands
        // socket errors on bare: the script may or may not have run, like any lost connection.
        if (error instanceof CancellationException || error instanceof IOException || isUnavailable(error)) {
            return new Unavailable("Redis did not answer: " + error, error);
        }
        return error;
    }
}
