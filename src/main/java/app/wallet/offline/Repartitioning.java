package app.wallet.offline;

import java.time.Duration;
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

import app.wallet.store.PartitionLayout;
import app.wallet.store.WalletKeys;

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
    private static final Pattern WALLET_KEY = Pattern.compile("^(wallet|withdrawal|withdrawals|ledger|idem|policy|withdrawal-window|alerts):(\\{[^}]*\\}):([^:]+)(.*)$");

    private final RedisClusterCommands<String, String> redis;
    private final Consumer<String> out;

    public Repartitioning(RedisClusterCommands<String, String> redis, Consumer<String> out) {
        this.redis = redis;
        this.out = out;
    }

    /**
     * Changes the layout to {@code to} partitions; an {@link IllegalStateException} says why it would not.
     *
     * @param settle how long to wait, with the layout marked as changing, before looking for serving
     *        instances: an instance that checked the layout just before has started heartbeating by then
     */
    public void run(int to, Duration settle) {
        WalletKeys target = new WalletKeys(to);
        String recorded = redis.get(PartitionLayout.KEY);
        String from;
        if (recorded != null && recorded.startsWith("repartitioning ")) {
            String[] parts = recorded.split(" ");
            if (Integer.parseInt(parts[2]) != to) {
                throw new IllegalStateException("An earlier run, moving from " + parts[1] + " to " + parts[2]
                        + " partitions, did not finish: run it again with " + parts[2] + " to finish it.");
            }
            from = parts[1];
        }
        else if (recorded == null) {
            redis.set(PartitionLayout.KEY, Integer.toString(to));
            out.accept("No wallet data yet: the layout is now " + to + " partitions.");
            return;
        }
        else {
            from = recorded;
            if (from.equals(Integer.toString(to))) {
                out.accept("The data is laid out for " + to + " partitions already.");
                return;
            }
        }
        WalletKeys source = new WalletKeys(Integer.parseInt(from));
        // A resumed run checks again too: an instance may have been started since the first one stopped.
        String mark = "repartitioning " + from + " " + to;
        redis.set(PartitionLayout.KEY, mark);
        boolean checked = false;
        try {
            sleep(settle);
            List<String> serving = redis.zrangebyscore(target.instances(), Range.create((double) now(), Double.POSITIVE_INFINITY));
            if (!serving.isEmpty()) {
                throw new IllegalStateException(serving.size() + " instance(s) are serving (" + String.join(", ", serving)
                        + "): stop every instance first; this command changes where each wallet's keys live.");
            }
            checked = true;
        }
        finally {
            if (!checked && !recorded.equals(mark)) {
                redis.set(PartitionLayout.KEY, recorded);
            }
        }
        out.accept("Moving from " + from + " to " + to + " partitions; instances refuse to start until this is done.");
        long events = moveOutboxes(source, target);
        long keys = moveKeys(source, target) + moveQueues(source, target);
        // Partition numbers mean other wallets now: the relays divide them anew when they start.
        redis.del(target.outboxLeases());
        redis.set(PartitionLayout.KEY, Integer.toString(to));
        out.accept("Done: " + keys + " keys and " + events + " outbox entries moved; start the instances with wallet.partitions=" + to + ".");
    }

    private static void sleep(Duration settle) {
        try {
            Thread.sleep(settle.toMillis());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted before anything was moved", e);
        }
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

    /**
     * The operator queue's entries ({@code <withdrawalId>:<userId>}) to their users' new partitions; each is
     * added to its new queue before it leaves the old one. Counted as keys moved, one per entry.
     */
    private long moveQueues(WalletKeys source, WalletKeys target) {
        long moved = 0;
        for (int partition = 0; partition < source.partitions(); partition++) {
            for (String status : WalletKeys.QUEUES) {
                String queue = source.queue(partition, status);
                for (String entry : redis.zrange(queue, 0, -1)) {
                    String destination = target.queue(WalletKeys.userIdOfQueueEntry(entry), status);
                    if (!destination.equals(queue)) {
                        redis.zadd(destination, 0, entry);
                        redis.zrem(queue, entry);
                        moved++;
                    }
                }
            }
        }
        return moved;
    }

    private long moveKeys(WalletKeys source, WalletKeys target) {
        long moved = 0;
        // Page by page: a key moved already carries its new tag, so the scan meeting it again skips it.
        ScanIterator<String> keys = ScanIterator.scan(redis, ScanArgs.Builder.limit(1000));
        while (keys.hasNext()) {
            String key = keys.next();
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
            long ttl = redis.pttl(key);
            byte[] value = redis.dump(key);
            // -2 (or 0): gone or going (an idempotency record expiring meanwhile); -1: no expiry, which RESTORE
            // writes as 0.
            if (value == null || ttl == -2 || ttl == 0) {
                continue;
            }
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
