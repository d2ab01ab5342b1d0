package app.wallet.offline;

import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;

import app.wallet.store.PartitionLayout;
import app.wallet.store.WalletKeys;

/**
 * Puts withdrawals made before the operator queue existed into it: for each wallet's status index
 * ({@code withdrawals:{tag}:<userId>:<STATUS>}), its ids go to the partition's queue of that status. The
 * command behind {@code java -jar wallet-service.jar index-withdrawals}. Safe to run while instances serve
 * and to run again: each entry is added by a script that checks, in the same step, that the withdrawal
 * still has that status (a withdrawal settled meanwhile is in its new queue already), and adding an entry
 * twice is adding it once.
 */
public final class QueueBackfill {

    private static final Pattern STATUS_INDEX = Pattern.compile("^withdrawals:(\\{[^}]*\\}):([^:]+):(PENDING|APPROVED|REJECTED)$");

    /** Adds the entry (ARGV[2]) to the queue (KEYS[2]) if the withdrawal (KEYS[1]) still has the status ARGV[1]. */
    private static final String ADD_IF_STATUS = "if redis.call('HGET', KEYS[1], 'status') == ARGV[1] then "
            + "return redis.call('ZADD', KEYS[2], 0, ARGV[2]) end return 0";

    private final RedisClusterCommands<String, String> redis;
    private final Consumer<String> out;

    public QueueBackfill(RedisClusterCommands<String, String> redis, Consumer<String> out) {
        this.redis = redis;
        this.out = out;
    }

    /** The number of queue entries added. */
    public long run() {
        String layout = redis.get(PartitionLayout.KEY);
        if (layout == null || !layout.matches("\\d{1,4}")) {
            throw new IllegalStateException("The data's partition layout is " + (layout == null ? "not recorded" : "'" + layout + "'")
                    + ": start an instance (or finish the repartition command) first.");
        }
        WalletKeys keys = new WalletKeys(Integer.parseInt(layout));
        long added = 0;
        ScanIterator<String> indexes = ScanIterator.scan(redis, ScanArgs.Builder.matches("withdrawals:*").limit(1000));
        while (indexes.hasNext()) {
            Matcher index = STATUS_INDEX.matcher(indexes.next());
            if (!index.matches() || !index.group(1).equals(keys.tagOf(index.group(2)))) {
                continue;
            }
            String userId = index.group(2);
            String status = index.group(3);
            for (String id : redis.zrange(index.group(0), 0, -1)) {
                Long one = redis.eval(ADD_IF_STATUS, ScriptOutputType.INTEGER,
                        new String[] {keys.withdrawal(userId, id), keys.queue(userId, status)}, status,
                        WalletKeys.queueEntry(userId, id));
                added += one == null ? 0 : one;
            }
        }
        out.accept("Done: " + added + " withdrawals added to the operator queue.");
        return added;
    }
}
