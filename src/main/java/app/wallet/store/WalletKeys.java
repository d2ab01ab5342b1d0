package app.wallet.store;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Builds every Redis key and channel name the service uses; no script builds a key.
 *
 * <p>All keys of one wallet, and the outbox of its partition, carry the partition's hash tag
 * ({@code {p7}}): Redis Cluster places keys by the tag alone, so each script's keys share a slot and
 * the scripts run unchanged on a cluster. The partition is a stable hash of the user id, so it must
 * not change for the life of a deployment.
 */
public final class WalletKeys {

    private static final String WALLET_PREFIX = "wallet:";

    private final int partitions;

    public WalletKeys(int partitions) {
        this.partitions = partitions;
    }

    public int partitions() {
        return partitions;
    }

    /** CRC32 is fixed by its specification, so the partition survives JVM and library upgrades. */
    public int partition(String userId) {
        CRC32 crc = new CRC32();
        crc.update(userId.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % partitions);
    }

    public String wallet(String userId) {
        return WALLET_PREFIX + tag(userId) + ":" + userId;
    }

    public String withdrawal(String userId, String withdrawalId) {
        return "withdrawal:" + tag(userId) + ":" + userId + ":" + withdrawalId;
    }

    /** Sorted set of all the wallet's withdrawal ids; ids are time-ordered, so lex order is age order. */
    public String withdrawals(String userId) {
        return "withdrawals:" + tag(userId) + ":" + userId;
    }

    public String withdrawals(String userId, String status) {
        return withdrawals(userId) + ":" + status;
    }

    public String ledger(String userId) {
        return "ledger:" + tag(userId) + ":" + userId;
    }

    public String outbox(String userId) {
        return outbox(partition(userId));
    }

    public String outbox(int partition) {
        return "outbox:" + tag(partition);
    }

    /** Which relay instance may publish the partition's outbox; same tag as the outbox. */
    public String outboxLease(int partition) {
        return "outbox-lease:" + tag(partition);
    }

    /** The key is hashed: it is client text, and braces or colons in it must never reach a key name. */
    public String idempotency(String userId, String operation, String idempotencyKey) {
        return "idem:" + tag(userId) + ":" + userId + ":" + operation + ":" + Sha256.hex(idempotencyKey);
    }

    public String changes(String userId) {
        return changes(partition(userId));
    }

    public String changes(int partition) {
        return "wallet-changes:" + tag(partition);
    }

    /** SCAN pattern matching wallet hashes only (withdrawal and ledger keys have other prefixes). */
    public String walletPattern() {
        return WALLET_PREFIX + "*";
    }

    /** The user id of a key made by {@link #wallet(String)}. */
    public String userIdOfWalletKey(String walletKey) {
        return walletKey.substring(walletKey.indexOf('}') + 2);
    }

    private String tag(String userId) {
        return tag(partition(userId));
    }

    private static String tag(int partition) {
        return "{p" + partition + "}";
    }
}
