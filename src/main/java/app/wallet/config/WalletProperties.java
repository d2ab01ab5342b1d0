package app.wallet.config;

import java.time.Duration;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import app.wallet.store.Scripts;
import app.wallet.store.WalletKeys;

/**
 * Settings of the wallet service, bound from {@code wallet.*} and checked at start-up so a bad value
 * stops the service instead of corrupting money later.
 *
 * @param currency ISO 4217 code echoed in every wallet; one currency per deployment
 * @param maxAmount largest amount of a single operation, in minor units
 * @param partitions number of key partitions, at most 4096; changed only with the offline re-partitioning
 *        command, like Kafka partitions
 * @param idempotencyTtl how long an idempotency record is kept
 * @param kafka where wallet events go
 * @param outbox how the outbox is relayed to Kafka
 * @param stream how balance streams behave
 * @param audit when the consistency audit runs
 * @param security whether requests must carry a bearer token
 * @param http what one instance's HTTP server lets clients hold
 * @param redis how changes are made durable on Redis and how the connection recovers
 * @param withdrawal how long a withdrawal may wait for an operator
 */
@ConfigurationProperties("wallet")
public record WalletProperties(
        @DefaultValue("USD") String currency,
        @DefaultValue("1000000000") long maxAmount,
        @DefaultValue("1024") int partitions,
        @DefaultValue("24h") Duration idempotencyTtl,
        @DefaultValue Kafka kafka,
        @DefaultValue Outbox outbox,
        @DefaultValue Stream stream,
        @DefaultValue Audit audit,
        @DefaultValue Security security,
        @DefaultValue Http http,
        @DefaultValue Redis redis,
        @DefaultValue Withdrawal withdrawal) {

    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

    public WalletProperties {
        require(CURRENCY.matcher(currency).matches(), "wallet.currency must be an ISO 4217 code, got " + currency);
        require(maxAmount >= 1 && maxAmount <= Scripts.MAX_MONEY,
                "wallet.max-amount must be between 1 and 2^53 - 1, got " + maxAmount);
        require(partitions >= 1 && partitions <= WalletKeys.MAX_PARTITIONS,
                "wallet.partitions must be between 1 and " + WalletKeys.MAX_PARTITIONS);
        require(idempotencyTtl.toSeconds() >= 1, "wallet.idempotency-ttl must be at least one second");
        require(!stream.heartbeat().isNegative() && !stream.heartbeat().isZero(), "wallet.stream.heartbeat must be positive");
        require(stream.resyncInterval().toMillis() >= 100, "wallet.stream.resync-interval must be at least 100ms");
        require(audit.interval().toSeconds() >= 1, "wallet.audit.interval must be at least one second");
        require(!kafka.topic().isBlank(), "wallet.kafka.topic must not be blank");
        require(http.maxConnections() >= 1, "wallet.http.max-connections must be at least 1");
        require(http.requestTimeout().toMillis() >= 1, "wallet.http.request-timeout must be positive");
        require(redis.minReplicaAcks() == null || redis.minReplicaAcks() >= 0,
                "wallet.redis.min-replica-acks must not be negative");
        require(redis.replicaAckTimeout().toMillis() >= 1, "wallet.redis.replica-ack-timeout must be positive");
        require(redis.maxReconnectDelay().toMillis() >= 50, "wallet.redis.max-reconnect-delay must be at least 50ms");
        require(outbox.batchSize() >= 1 && outbox.batchSize() <= 10_000, "wallet.outbox.batch-size must be 1 to 10000");
        require(outbox.minBackoff().toMillis() >= 1 && outbox.maxBackoff().compareTo(outbox.minBackoff()) >= 0,
                "wallet.outbox.min-backoff must be positive and at most wallet.outbox.max-backoff");
        require(outbox.heartbeat().toMillis() >= 10, "wallet.outbox.heartbeat must be at least 10ms");
        require(outbox.leaseTtl().compareTo(outbox.heartbeat().multipliedBy(2)) >= 0,
                "wallet.outbox.lease-ttl must be at least twice wallet.outbox.heartbeat, or a late heartbeat hands partitions over");
        require(outbox.sweepInterval().toMillis() >= 1, "wallet.outbox.sweep-interval must be positive");
        require(outbox.backlogInterval().toMillis() >= 1, "wallet.outbox.backlog-interval must be positive");
        require(withdrawal.pendingTimeout() == null || withdrawal.pendingTimeout().toMillis() >= 1,
                "wallet.withdrawal.pending-timeout must be positive (leave it unset for no expiry)");
        require(withdrawal.expiryInterval().toMillis() >= 10, "wallet.withdrawal.expiry-interval must be at least 10ms");
        require(withdrawal.autoApproveMax() == null || withdrawal.autoApproveMax() >= 1,
                "wallet.withdrawal.auto-approve-max must be at least 1 (leave it unset for none)");
        require(withdrawal.dailyLimit() == null || withdrawal.dailyLimit() >= 1,
                "wallet.withdrawal.daily-limit must be at least 1 (leave it unset for none)");
        require(withdrawal.dailyCount() == null || withdrawal.dailyCount() >= 1,
                "wallet.withdrawal.daily-count must be at least 1 (leave it unset for none)");
    }

    /**
     * @param pendingTimeout how long a withdrawal may stay PENDING; older ones are rejected with reason
     *        {@code expired} and refunded. Unset: withdrawals wait for an operator however long it takes
     * @param expiryInterval how often an instance looks for withdrawals past the timeout
     * @param autoApproveMax a withdrawal of at most this amount, within the limits, is approved at once by
     *        the policy; unset: every withdrawal waits for an operator (a wallet's own policy may set it)
     * @param dailyLimit the most a wallet may have requested in withdrawals in any 24 hours (rejected and
     *        expired ones not counted); unset: no limit
     * @param dailyCount the most withdrawals a wallet may have requested in any 24 hours (rejected and
     *        expired ones not counted); unset: no limit
     */
    public record Withdrawal(@Nullable Duration pendingTimeout, @DefaultValue("10s") Duration expiryInterval,
            @Nullable Long autoApproveMax, @Nullable Long dailyLimit, @Nullable Integer dailyCount) {
    }

    /**
     * @param enabled whether the audit runs on its own; {@code POST /api/v1/admin/audit} works either way
     * @param interval time between two passes
     */
    public record Audit(@DefaultValue("true") boolean enabled, @DefaultValue("5m") Duration interval) {
    }

    /**
     * @param maxConnections open connections one instance accepts; more are closed as they arrive (balance
     *        streams hold one each)
     * @param requestTimeout how long a request's body may take to arrive once its headers have
     * @param accessLog whether to log every request (logger {@code reactor.netty.http.server.AccessLog}), its
     *        path without the query: a stream's query carries its ticket, which is never logged
     */
    public record Http(@DefaultValue("16384") int maxConnections, @DefaultValue("30s") Duration requestTimeout,
            @DefaultValue("false") boolean accessLog) {
    }

    /**
     * @param minReplicaAcks replicas that must have each money change before it is acknowledged (WAIT);
     *        unset: 1 on a Redis Cluster or a master with replicas at start-up, 0 for a lone Redis
     * @param replicaAckTimeout how long a change waits for its replicas before the request fails with 503
     * @param maxReconnectDelay longest pause between two attempts to reconnect to Redis
     * @param allowEviction serve although a Redis master's {@code maxmemory-policy} is not {@code noeviction},
     *        which lets Redis delete wallets or idempotency records under memory pressure; only for those who
     *        know why (logged as an error at every start)
     */
    public record Redis(@Nullable Integer minReplicaAcks, @DefaultValue("500ms") Duration replicaAckTimeout,
            @DefaultValue("1s") Duration maxReconnectDelay, @DefaultValue("false") boolean allowEviction) {
    }

    /**
     * @param enabled whether every route but the health probes needs a bearer token (JWT); {@code false}
     *        serves everyone and is only for a local run, never production
     */
    public record Security(@DefaultValue("true") boolean enabled) {
    }

    /**
     * @param heartbeat how often an idle stream sends a {@code : keep-alive} comment
     * @param resyncInterval how often the wallets with open streams are read again, in case a change
     *        notification was lost while the instance's subscription was reconnecting
     */
    public record Stream(@DefaultValue("15s") Duration heartbeat, @DefaultValue("30s") Duration resyncInterval) {
    }

    /**
     * @param topic the topic of wallet events, keyed by user id
     */
    public record Kafka(@DefaultValue("wallet.events") String topic) {
    }

    /**
     * @param relayEnabled whether this instance relays its share of the outbox partitions to Kafka
     * @param batchSize outbox entries read and published at a time, per partition
     * @param heartbeat how often an instance renews itself and rebalances the partitions it relays
     * @param leaseTtl how long an instance counts as alive after its last heartbeat; its partitions go to
     *        the others after that
     * @param sweepInterval how often one held partition is looked at without a change notice, in turn, in
     *        case a notice was lost
     * @param minBackoff first pause after a failed publish; doubles on each failure
     * @param maxBackoff longest pause after failed publishes
     * @param backlogInterval how often the backlog of a partition whose publish is held up is measured again
     */
    public record Outbox(
            @DefaultValue("true") boolean relayEnabled,
            @DefaultValue("200") int batchSize,
            @DefaultValue("1s") Duration heartbeat,
            @DefaultValue("3s") Duration leaseTtl,
            @DefaultValue("250ms") Duration sweepInterval,
            @DefaultValue("200ms") Duration minBackoff,
            @DefaultValue("10s") Duration maxBackoff,
            @DefaultValue("5s") Duration backlogInterval) {
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
