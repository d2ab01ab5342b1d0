package app.wallet.store;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

import io.lettuce.core.cluster.SlotHash;

/**
 * Names everything the service keeps in Redis: every key and channel (no script builds a key), and the
 * time-ordered ids of changes, withdrawals and alerts.
 *
 * <p>All keys of one wallet, and the outbox of its partition, carry the partition's hash tag
 * ({@code {p7.41}}): Redis Cluster places keys by the tag alone, so each script's keys share a slot and
 * the scripts run unchanged on a cluster. The partition is a stable hash of the user id, so it changes
 * only with the offline re-partitioning command.
 *
 * <p>Partition {@code p} of {@code n} gets the first tag {@code p<p>.<k>} ({@code k = 0, 1, ...}) whose
 * slot lies in the p-th of n equal ranges of the 16,384 slots. A cluster whose masters hold equal
 * contiguous slot ranges (as {@code redis-cli --cluster create} makes them) so holds equal numbers of
 * partitions, where tags left to chance would spread unevenly.
 *
 * <p>Ids are UUIDv7 (RFC 9562): a millisecond timestamp, then a 12-bit counter, then random bits. The
 * counter makes ids from one instance strictly increasing even within a millisecond, which the withdrawal
 * index relies on for newest-first paging.
 */
public final class WalletKeys {

    /** Beyond this the search for tags grows slow, and no cluster has more masters than partitions anyway. */
    public static final int MAX_PARTITIONS = 4096;

    private static final String WALLET_PREFIX = "wallet:";
    private static final String CHANGES_PREFIX = "wallet-changes:";
    private static final int SLOTS = 16384;
    private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

    private final int partitions;
    private final String[] tags;
    private final Clock clock;
    /** Last issued id stamp (millis << 12 | counter). */
    private final AtomicLong lastId = new AtomicLong();

    public WalletKeys(int partitions) {
        this(partitions, Clock.systemUTC());
    }

    public WalletKeys(int partitions, Clock clock) {
        this.clock = clock;
        if (partitions < 1 || partitions > MAX_PARTITIONS) {
            throw new IllegalArgumentException("Partitions must be between 1 and " + MAX_PARTITIONS + ", got " + partitions);
        }
        this.partitions = partitions;
        this.tags = new String[partitions];
        for (int partition = 0; partition < partitions; partition++) {
            tags[partition] = spreadTag(partition, partitions);
        }
    }

    /** The tag of partition {@code p} of {@code n}, braces included. */
    static String spreadTag(int p, int n) {
        long first = (long) p * SLOTS / n;
        long end = (long) (p + 1) * SLOTS / n;
        for (int k = 0; ; k++) {
            String tag = "p" + p + "." + k;
            int slot = SlotHash.getSlot(tag);
            if (slot >= first && slot < end) {
                return "{" + tag + "}";
            }
        }
    }

    public int partitions() {
        return partitions;
    }

    /** A new id, after every id this instance made before. */
    public String newId() {
        long now = clock.millis() << 12;
        long stamp = lastId.updateAndGet(previous -> Math.max(now, previous + 1));
        long msb = ((stamp >>> 12) << 16) | 0x7000L | (stamp & 0xFFF);
        long lsb = (ThreadLocalRandom.current().nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    /** A string that sorts after every id made before {@code millis} and before every id made at or after it. */
    public static String idLowerBound(long millis) {
        return String.format("%08x-%04x", millis >>> 16, millis & 0xFFFF);
    }

    /** True for the canonical lower-case form of a version 7 UUID, as {@link #newId()} makes them. */
    public static boolean isId(String id) {
        return ID.matcher(id).matches();
    }

    /** CRC32 is fixed by its specification, so the partition survives JVM and library upgrades. */
    public int partition(String userId) {
        CRC32 crc = new CRC32();
        crc.update(userId.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % partitions);
    }

    public String wallet(String userId) {
        return WALLET_PREFIX + tagOf(userId) + ":" + userId;
    }

    public String withdrawal(String userId, String withdrawalId) {
        return "withdrawal:" + tagOf(userId) + ":" + userId + ":" + withdrawalId;
    }

    /** Sorted set of all the wallet's withdrawal ids; ids are time-ordered, so lex order is age order. */
    public String withdrawals(String userId) {
        return "withdrawals:" + tagOf(userId) + ":" + userId;
    }

    public String withdrawals(String userId, String status) {
        return withdrawals(userId) + ":" + status;
    }

    /**
     * The withdrawals of one status in the user's partition, across its wallets (sorted set of
     * {@code <withdrawalId>:<userId>}, score 0: ids are time-ordered, so lex order is age order). The
     * operator queue reads every partition's and merges them.
     */
    public String queue(String userId, String status) {
        return queue(partition(userId), status);
    }

    public String queue(int partition, String status) {
        return "withdrawal-queue:" + tag(partition) + ":" + status;
    }

    /** The statuses with a queue: EXPIRED lists the rejections an expiry made, which REJECTED lists too. */
    public static final List<String> QUEUES = List.of("PENDING", "APPROVED", "REJECTED", "EXPIRED");

    /** A withdrawal's entry in a queue, as the scripts write it: the id first, so lex order is age order. */
    public static String queueEntry(String userId, String withdrawalId) {
        return withdrawalId + ":" + userId;
    }

    public static String withdrawalIdOfQueueEntry(String entry) {
        return entry.substring(0, entry.indexOf(':'));
    }

    public static String userIdOfQueueEntry(String entry) {
        return entry.substring(entry.indexOf(':') + 1);
    }

    /** A stream ticket of the user's wallet (string, with its TTL), by the SHA-256 of the ticket: never the ticket itself. */
    public String streamTicket(String userId, String ticket) {
        return "stream-ticket:" + tagOf(userId) + ":" + userId + ":" + Idempotency.sha256(ticket);
    }

    /** A wallet's own withdrawal policy (hash), overriding the deployment's field by field. */
    public String policy(String userId) {
        return "policy:" + tagOf(userId) + ":" + userId;
    }

    /** The wallet's withdrawals counted by its policy's limits: sorted set of {@code <withdrawalId>:<amount>}, by request time. */
    public String withdrawalWindow(String userId) {
        return "withdrawal-window:" + tagOf(userId) + ":" + userId;
    }

    /** The wallet's balance alerts (hash, alert id to its record). */
    public String alerts(String userId) {
        return "alerts:" + tagOf(userId) + ":" + userId;
    }

    public String ledger(String userId) {
        return "ledger:" + tagOf(userId) + ":" + userId;
    }

    public String outbox(String userId) {
        return outbox(partition(userId));
    }

    public String outbox(int partition) {
        return "outbox:" + tag(partition);
    }

    /** Instances serving now (sorted set, score = heartbeat expiry); one slot for every relay key. */
    public String instances() {
        return "outbox-instances:{outbox}";
    }

    /** Instances relaying now (sorted set, score = heartbeat expiry). */
    public String relays() {
        return "outbox-relays:{outbox}";
    }

    /** Which instance relays each partition (hash, partition to instance id). */
    public String outboxLeases() {
        return "outbox-leases:{outbox}";
    }

    /**
     * A counter in the slot of {@code keyInSlot} (any key built here), written only to mark a point in its
     * master's replication stream ({@link ReplicaFences}).
     */
    public static String replicationFence(String keyInSlot) {
        return "replication-fence:" + keyInSlot.substring(keyInSlot.indexOf('{'), keyInSlot.indexOf('}') + 1);
    }

    /** The key is hashed: it is client text, and braces or colons in it must never reach a key name. */
    public String idempotency(String userId, String operation, String idempotencyKey) {
        return "idem:" + tagOf(userId) + ":" + userId + ":" + operation + ":" + Idempotency.sha256(idempotencyKey);
    }

    /**
     * The recorded answer to a batch of credits sent with an Idempotency-Key; the key is hashed, and the
     * record stands alone (its credits have records of their own in their wallets' slots).
     */
    public String batchIdempotency(String idempotencyKey) {
        return "idem-batch:" + Idempotency.sha256(idempotencyKey);
    }

    public String changes(String userId) {
        return changes(partition(userId));
    }

    public String changes(int partition) {
        return CHANGES_PREFIX + tag(partition);
    }

    /** The partition whose change channel this is ({@link #changes(int)}), or -1. */
    public int partitionOfChannel(String channel) {
        if (!channel.startsWith(CHANGES_PREFIX + "{p")) {
            return -1;
        }
        int start = CHANGES_PREFIX.length() + 2;
        int dot = channel.indexOf('.', start);
        try {
            int partition = Integer.parseInt(channel, start, dot < 0 ? start : dot, 10);
            return partition < partitions && tags[partition].length() == channel.length() - CHANGES_PREFIX.length()
                    && channel.endsWith(tags[partition]) ? partition : -1;
        }
        catch (NumberFormatException e) {
            return -1;
        }
    }

    /** SCAN pattern matching wallet hashes only (withdrawal and ledger keys have other prefixes). */
    public String walletPattern() {
        return WALLET_PREFIX + "*";
    }

    /** The user id of a key made by {@link #wallet(String)}. */
    public String userIdOfWalletKey(String walletKey) {
        return walletKey.substring(walletKey.indexOf('}') + 2);
    }

    /** The hash tag, braces included, of the user's keys. */
    public String tagOf(String userId) {
        return tag(partition(userId));
    }

    private String tag(int partition) {
        return tags[partition];
    }
}
