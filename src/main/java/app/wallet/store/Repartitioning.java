package app.wallet.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RestoreArgs;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;

/**
 * Moves every wallet's keys, and the outbox entries of its events, from one partition count to another:
 * the offline command behind {@code java -jar wallet-service.jar repartition N}. It refuses to run while an
 * instance heartbeats (an instance serving meanwhile would write under the old tags), and marks the layout
 * as being changed while it runs, so no instance starts until it is done.
 *
 * <p>It can be run again after a crash: each key is copied (DUMP, RESTORE with its time to live) before
 * the original is deleted, each outbox entry appended to its new outbox before it is deleted from the old
 * one, and keys already under their new tag are left alone. A crash can leave an event twice in the
 * outbox, which delivery at least once allows for, never a change lost. Blocking: it is a command, not a
 * request path.
 */
public final class Repartitioning {

    /** Every key of a wallet: {@code prefix:{tag}:userId[:rest]}; user ids hold no colon. */
    private static final Pattern WALLET_KEY = Pattern.compile("^(wallet|withdrawal|withdrawals|ledger|idem):(\\{[^}]*\\}):([^:]+)(.*)$");

    private final RedisClusterCommands<String, String> redis;
    private final Consumer<String> out;

    /** What was moved. */
    public record Moved(int from, int to, long keys, long events) {
    }

    public Repartitioning(RedisClusterCommands<String, String> redis, Consumer<String> out) {
        this.redis = redis;
        this.out = out;
    }

    /** Changes the layout to {@code to} partitions; an {@link IllegalStateException} says why it would not. */
    public Moved run(int to) {
        WalletKeys target = new WalletKeys(to);
        String recorded = redis.get(PartitionLayout.KEY);
        if (recorded == null) {
            redis.set(PartitionLayout.KEY, Integer.toString(to));
            out.accept("No wallet data yet: the layout is now " + to + " partitions.");
            return new Moved(to, to, 0, 0);
        }
        int from = recorded.startsWith("repartitioning ") ? resumed(recorded, to) : Integer.parseInt(recorded);
        if (from == to) {
            out.accept("The data is laid out for " + to + " partitions already.");
            return new Moved(from, to, 0, 0);
        }
        List<String> serving = redis.zrangebyscore(target.instances(), Range.create((double) now(), Double.POSITIVE_INFINITY));
        if (!serving.isEmpty()) {
            throw new IllegalStateException(serving.size() + " instance(s) are serving (" + String.join(", ", serving)
                    + "): stop every instance first; this command changes where each wallet's keys live.");
        }
        redis.set(PartitionLayout.KEY, "repartitioning " + from + " " + to);
        out.accept("Moving from " + from + " to " + to + " partitions; instances refuse to start until this is done.");
        WalletKeys source = new WalletKeys(from);
        long events = moveOutboxes(source, target);
        long keys = moveKeys(source, target);
        // Partition numbers mean other wallets now: the relays divide them anew when they start.
        redis.del(target.outboxLeases());
        redis.set(PartitionLayout.KEY, Integer.toString(to));
        out.accept("Done: " + keys + " keys and " + events + " outbox entries moved; start the instances with wallet.partitions=" + to + ".");
        return new Moved(from, to, keys, events);
    }

    private static int resumed(String recorded, int to) {
        String[] parts = recorded.split(" ");
        if (Integer.parseInt(parts[2]) != to) {
            throw new IllegalStateException("An earlier run, moving from " + parts[1] + " to " + parts[2]
                    + " partitions, did not finish: run it again with " + parts[2] + " to finish it.");
        }
        return Integer.parseInt(parts[1]);
    }

    /** In stream order, so each user's events stay in order in their new outbox. */
    private long moveOutboxes(WalletKeys source, WalletKeys target) {
        long moved = 0;
        for (int partition = 0; partition < source.partitions(); partition++) {
            String outbox = source.outbox(partition);
            String after = "-";
            while (true) {
                List<StreamMessage<String, String>> entries = redis.xrange(outbox,
                        Range.from(after.equals("-") ? Range.Boundary.unbounded() : Range.Boundary.excluding(after),
                                Range.Boundary.unbounded()), Limit.from(500));
                if (entries.isEmpty()) {
                    break;
                }
                for (StreamMessage<String, String> entry : entries) {
                    Map<String, String> fields = entry.getBody();
                    String destination = target.outbox(fields.get("userId"));
                    if (!destination.equals(outbox)) {
                        redis.xadd(destination, fields);
                        redis.xdel(outbox, entry.getId());
                        moved++;
                    }
                    after = entry.getId();
                }
            }
        }
        return moved;
    }

    private long moveKeys(WalletKeys source, WalletKeys target) {
        long moved = 0;
        // Collected first: moving while scanning would hand the scan keys it made itself.
        List<String> keys = new ArrayList<>();
        ScanIterator.scan(redis, ScanArgs.Builder.limit(1000)).forEachRemaining(keys::add);
        for (String key : keys) {
            Matcher parts = WALLET_KEY.matcher(key);
            if (!parts.matches()) {
                continue;
            }
            String userId = parts.group(3);
            String tag = parts.group(2);
            String newTag = target.tagOf(userId);
            if (!tag.equals(source.tagOf(userId)) || tag.equals(newTag)) {
                continue;
            }
            String newKey = parts.group(1) + ":" + newTag + ":" + userId + parts.group(4);
            byte[] value = redis.dump(key);
            if (value == null) {
                continue;
            }
            long ttl = redis.pttl(key);
            redis.restore(newKey, value, RestoreArgs.Builder.ttl(Math.max(ttl, 0)).replace());
            redis.del(key);
            moved++;
        }
        return moved;
    }

    private long now() {
        List<String> time = redis.time();
        return Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
    }
}
