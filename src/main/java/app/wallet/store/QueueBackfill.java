package app.wallet.store;

import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;

/**
 * Puts withdrawals made before the operator queue existed into it: for each wallet's status index
 * ({@code withdrawals:{tag}:<userId>:<STATUS>}), its ids go to the partition's queue of that status. The
 * command behind {@code java -jar wallet-service.jar index-withdrawals}. Safe to run while instances serve
 * and to run again: adding an entry twice is adding it once, and an entry for a withdrawal settled
 * meanwhile is left out of queue pages and removed by its next approve, reject or expiry.
 */
public final class QueueBackfill {

    private static final Pattern STATUS_INDEX = Pattern.compile("^withdrawals:(\\{[^}]*\\}):([^:]+):(PENDING|APPROVED|REJECTED)$");

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
            List<String> ids = redis.zrange(index.group(0), 0, -1);
            if (!ids.isEmpty()) {
                @SuppressWarnings("unchecked")
                ScoredValue<String>[] entries = ids.stream().map(id -> ScoredValue.just(0, WalletKeys.queueEntry(userId, id))).toArray(ScoredValue[]::new);
                added += redis.zadd(keys.queue(userId, index.group(3)), entries);
            }
        }
        out.accept("Done: " + added + " withdrawals added to the operator queue.");
        return added;
    }
}
