package app.wallet.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import reactor.test.StepVerifier;

import app.wallet.support.LocalRedis;

import static org.assertj.core.api.Assertions.assertThat;

/** Each Lua script run directly against a real Redis: its keys, arguments, return codes and limits. */
@SuppressWarnings({"rawtypes", "unchecked"})
class LuaScriptsTest {

    private static final long MAX = (1L << 53) - 1;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String ACTOR = "earnings-service";

    private static LettuceConnectionFactory factory;
    private static ReactiveStringRedisTemplate redis;

    private final WalletKeys keys = new WalletKeys(16);
    private final String user = "lua-" + UUID.randomUUID();

    @BeforeAll
    static void connect() {
        LocalRedis server = LocalRedis.shared();
        factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(server.host(), server.port()));
        factory.afterPropertiesSet();
        factory.start();
        redis = new ReactiveStringRedisTemplate(factory);
    }

    @AfterAll
    static void disconnect() {
        factory.destroy();
    }

    @Test
    void creditCreatesTheWalletAndAppendsLedgerOutboxAndNotification() {
        List<Object> reply = credit(user, 10_000, "order-17", null, "");
        assertThat(reply).containsExactly(0L, 0L, 10_000L, 0L, 10_000L, 0L, 1L, 1_000L, 1_000L);
        assertThat(hash(keys.wallet(user))).containsEntry("balance", "10000").containsEntry("totalEarnings", "10000")
                .containsEntry("pending", "0").containsEntry("totalWithdrawn", "0").containsEntry("version", "1");
        StepVerifier.create(redis.opsForStream().range(keys.ledger(user), org.springframework.data.domain.Range.unbounded()))
                .assertNext(entry -> assertThat(entry.getValue()).containsEntry("type", "CREDIT")
                        .containsEntry("reference", "order-17").containsEntry("balanceAfter", "10000")
                        .containsEntry("version", "1").containsEntry("actor", ACTOR))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void creditIsExactUpToTwoToTheFiftyThreeMinusOneAndRefusesBeyond() {
        assertThat(credit(user, MAX - 1, "", null, "").get(2)).isEqualTo(MAX - 1);
        assertThat(credit(user, 1, "", null, "").get(2)).isEqualTo(MAX);
        List<Object> refused = credit(user, 1, "", null, "");
        assertThat(refused.get(0)).isEqualTo(-3L);
        assertThat(hash(keys.wallet(user))).containsEntry("balance", Long.toString(MAX)).containsEntry("version", "2");
    }

    @Test
    void creditRefusesWhenTotalEarningsWouldPassTheLimitEvenIfBalanceWouldNot() {
        credit(user, MAX - 10, "", null, "");
        String withdrawalId = keys.newId();
        assertThat(withdraw(user, MAX - 10, withdrawalId, null, "").get(0)).isEqualTo(0L);
        assertThat(approve(user, withdrawalId, null, "").get(0)).isEqualTo(0L);
        assertThat(credit(user, 11, "", null, "").get(0)).isEqualTo(-3L);
        assertThat(credit(user, 10, "", null, "").get(0)).isEqualTo(0L);
    }

    @Test
    void withdrawDistinguishesAMissingWalletFromAnInsufficientBalance() {
        assertThat(withdraw(user, 1, keys.newId(), null, "")).containsExactly(-1L, 0L);
        credit(user, 100, "", null, "");
        assertThat(withdraw(user, 101, keys.newId(), null, "")).containsExactly(-2L, 0L, 100L, 0L, 100L, 0L, 1L, 1_000L, 1_000L);
        String withdrawalId = keys.newId();
        List<Object> ok = withdraw(user, 100, withdrawalId, null, "");
        assertThat(ok.subList(0, 7)).containsExactly(0L, 0L, 0L, 100L, 100L, 0L, 2L);
        assertThat(ok.subList(9, 15)).containsExactly(withdrawalId, 100L, "PENDING", 1_000L, "", "");
        assertThat(hash(keys.withdrawal(user, withdrawalId))).containsEntry("status", "PENDING");
        StepVerifier.create(redis.opsForZSet().size(keys.withdrawals(user, "PENDING"))).expectNext(1L).verifyComplete();
    }

    @Test
    void approveAndRejectSettleOnlyAPendingWithdrawal() {
        credit(user, 1_000, "", null, "");
        String first = keys.newId();
        String second = keys.newId();
        withdraw(user, 300, first, null, "");
        withdraw(user, 200, second, null, "");

        assertThat(approve(user, first, null, "").subList(0, 7)).containsExactly(0L, 0L, 500L, 200L, 1_000L, 300L, 4L);
        assertThat(approve(user, first, null, "")).containsExactly(-5L, 0L, "APPROVED");
        assertThat(reject(user, first, "late", null, "")).containsExactly(-5L, 0L, "APPROVED");

        List<Object> rejected = reject(user, second, "bank details wrong", null, "");
        assertThat(rejected.subList(0, 7)).containsExactly(0L, 0L, 700L, 0L, 1_000L, 300L, 5L);
        assertThat(rejected.get(14)).isEqualTo("bank details wrong");
        assertThat(approve(user, second, null, "")).containsExactly(-5L, 0L, "REJECTED");
        assertThat(approve(user, keys.newId(), null, "")).containsExactly(-4L, 0L);
        StepVerifier.create(redis.opsForZSet().size(keys.withdrawals(user, "PENDING"))).expectNext(0L).verifyComplete();
        // The partition's queues, which the operator queue merges, moved along.
        assertThat(queue("PENDING")).isEmpty();
        assertThat(queue("APPROVED")).contains(first + ":" + user);
        assertThat(queue("REJECTED")).contains(second + ":" + user);
        assertThat(queue("EXPIRED")).doesNotContain(second + ":" + user);
    }

    @Test
    void anExpiryRejectsOnlyAPendingWithdrawalRequestedByItsCutOff() {
        credit(user, 1_000, "", null, "");
        String withdrawalId = keys.newId();
        withdraw(user, 300, withdrawalId, null, "");   // requested at 1000 (epoch ms)
        assertThat(queue("PENDING")).containsExactly(withdrawalId + ":" + user);

        assertThat(expire(user, withdrawalId, 999)).containsExactly(-7L, 0L);
        assertThat(hash(keys.withdrawal(user, withdrawalId))).containsEntry("status", "PENDING");

        List<Object> expired = expire(user, withdrawalId, 1000);
        assertThat(expired.subList(0, 7)).containsExactly(0L, 0L, 1_000L, 0L, 1_000L, 0L, 3L);
        assertThat(expired.get(11)).isEqualTo("REJECTED");
        assertThat(expired.get(14)).isEqualTo("expired");
        assertThat(queue("PENDING")).isEmpty();
        assertThat(queue("REJECTED")).containsExactly(withdrawalId + ":" + user);
        assertThat(queue("EXPIRED")).containsExactly(withdrawalId + ":" + user);
        assertThat(expire(user, withdrawalId, 1000)).containsExactly(-5L, 0L, "REJECTED");
        assertThat(approve(user, withdrawalId, null, "")).containsExactly(-5L, 0L, "REJECTED");
    }

    @Test
    void theDailyLimitsCountWhatWasRequestedInTheLast24HoursAndNotRejected() {
        long day = Duration.ofDays(1).toMillis();
        credit(user, 10_000, "", null, "");
        String first = keys.newId();
        String second = keys.newId();
        assertThat(withdraw(user, 300, first, null, "", 1_000, "500", "2").get(0)).isEqualTo(0L);
        assertThat(withdraw(user, 200, second, null, "", 2_000, "500", "2").get(0)).isEqualTo(0L);
        assertThat(withdraw(user, 1, keys.newId(), null, "", 3_000, "500", "2")).containsExactly(-8L, 0L, "0", "0");
        assertThat(reject(user, second, "", null, "").get(0)).isEqualTo(0L);   // its allowance comes back
        assertThat(withdraw(user, 150, keys.newId(), null, "", 4_000, "500", "2").get(0)).isEqualTo(0L);
        assertThat(withdraw(user, 50, keys.newId(), null, "", 1_000 + day - 1, "500", "2")).containsExactly(-8L, 0L, "50", "0");
        // A day after it was requested, the first has left the window: 150 and one withdrawal counted.
        assertThat(withdraw(user, 300, keys.newId(), null, "", 1_000 + day, "500", "2").get(0)).isEqualTo(0L);
        assertThat(hash(keys.wallet(user))).containsEntry("windowAmount", "450");
        StepVerifier.create(redis.opsForZSet().size(keys.withdrawalWindow(user))).expectNext(2L).verifyComplete();
    }

    private List<String> queue(String status) {
        return redis.opsForZSet().range(keys.queue(user, status), org.springframework.data.domain.Range.unbounded())
                .filter(member -> member.endsWith(":" + user)).collectList().block(TIMEOUT);
    }

    @Test
    void aWithdrawalWhoseWalletIsGoneIsSettledByNeither() {
        credit(user, 1_000, "", null, "");
        String withdrawalId = keys.newId();
        withdraw(user, 300, withdrawalId, null, "");
        redis.delete(keys.wallet(user)).block(TIMEOUT);

        assertThat(approve(user, withdrawalId, null, "")).containsExactly(-1L, 0L);
        assertThat(reject(user, withdrawalId, "", null, "")).containsExactly(-1L, 0L);
        assertThat(hash(keys.wallet(user))).isEmpty();
        assertThat(hash(keys.withdrawal(user, withdrawalId))).containsEntry("status", "PENDING");
    }

    @Test
    void aFieldMissingFromADamagedWalletKeepsItsPlaceInTheReply() {
        credit(user, 1_000, "", null, "");
        redis.opsForHash().remove(keys.wallet(user), "pending").block(TIMEOUT);

        // Redis ends a reply at its first nil: the missing pending comes back as a nil in its place, and the
        // fields after it still follow.
        List<Object> refused = withdraw(user, 5_000, keys.newId(), null, "");
        assertThat(refused).hasSize(9);
        assertThat(refused.subList(0, 3)).containsExactly(-2L, 0L, 1_000L);
        assertThat(refused.get(3)).isNull();
        assertThat(refused.subList(4, 7)).containsExactly(1_000L, 0L, 1L);
    }

    @Test
    void anIdempotencyRecordReplaysTheFirstResultExactlyAndRefusesAnotherRequest() {
        String idem = keys.idempotency(user, "credit", "key-1");
        credit(user, MAX - 5, "", null, "");
        List<Object> first = credit(user, 5, "", idem, "fp-a");
        assertThat(first.get(2)).isEqualTo(MAX);
        List<Object> replay = credit(user, 5, "", idem, "fp-a");
        assertThat(replay.get(1)).isEqualTo(1L);
        assertThat(replay.subList(2, replay.size())).isEqualTo(first.subList(2, first.size()));
        assertThat(credit(user, 6, "", idem, "fp-b")).containsExactly(-6L, 0L);
        assertThat(hash(keys.wallet(user))).containsEntry("version", "2");
        StepVerifier.create(redis.getExpire(idem))
                .assertNext(ttl -> assertThat(ttl).isBetween(Duration.ofSeconds(86_000), Duration.ofSeconds(86_400)))
                .verifyComplete();
    }

    @Test
    void aRecordedRefusalIsReplayedToo() {
        String idem = keys.idempotency(user, "withdraw", "key-2");
        assertThat(withdraw(user, 5, keys.newId(), idem, "fp")).containsExactly(-1L, 0L);
        credit(user, 100, "", null, "");
        assertThat(withdraw(user, 5, keys.newId(), idem, "fp")).containsExactly(-1L, 1L);
    }

    @Test
    void everyKeyOfAWalletSharesOneHashTag() {
        String wallet = keys.wallet(user);
        String tag = wallet.substring(wallet.indexOf('{'), wallet.indexOf('}') + 1);
        assertThat(tag).startsWith("{p" + keys.partition(user) + ".");
        assertThat(List.of(keys.wallet(user), keys.withdrawal(user, "x"), keys.withdrawals(user),
                keys.withdrawals(user, "PENDING"), keys.ledger(user), keys.outbox(user),
                keys.idempotency(user, "credit", "{evil}:key with spaces")))
                .allSatisfy(key -> assertThat(key.substring(key.indexOf('{'), key.indexOf('}') + 1)).isEqualTo(tag));
        assertThat(keys.idempotency(user, "credit", "{evil}:key")).doesNotContain("evil");
    }

    private List<Object> credit(String userId, long amount, String reference, String idemKey, String fingerprint) {
        List<String> k = new ArrayList<>(List.of(keys.wallet(userId), keys.ledger(userId), keys.outbox(userId),
                keys.alerts(userId)));
        addIf(k, idemKey);
        return eval("credit", k, List.of(userId, Long.toString(amount), reference, keys.newId(), "1000", fingerprint,
                "86400", Long.toString(MAX), keys.changes(userId)));
    }

    private List<Object> withdraw(String userId, long amount, String withdrawalId, String idemKey, String fingerprint) {
        return withdraw(userId, amount, withdrawalId, idemKey, fingerprint, 1000, "", "");
    }

    /** A withdrawal requested at {@code now} (epoch ms) under the deployment's daily limits ("" for none). */
    private List<Object> withdraw(String userId, long amount, String withdrawalId, String idemKey, String fingerprint,
            long now, String dailyLimit, String dailyCount) {
        List<String> k = new ArrayList<>(List.of(keys.wallet(userId), keys.withdrawal(userId, withdrawalId),
                keys.withdrawals(userId), keys.withdrawals(userId, "PENDING"), keys.ledger(userId), keys.outbox(userId),
                keys.queue(userId, "PENDING"), keys.withdrawals(userId, "APPROVED"), keys.queue(userId, "APPROVED"),
                keys.policy(userId), keys.withdrawalWindow(userId), keys.alerts(userId)));
        addIf(k, idemKey);
        return eval("withdraw", k, List.of(userId, Long.toString(amount), withdrawalId, keys.newId(), Long.toString(now),
                fingerprint, "86400", keys.changes(userId), "", dailyLimit, dailyCount, keys.newId(), "system:policy"));
    }

    private List<Object> approve(String userId, String withdrawalId, String idemKey, String fingerprint) {
        return settle("APPROVED", userId, withdrawalId, idemKey, fingerprint, "", "");
    }

    private List<Object> reject(String userId, String withdrawalId, String reason, String idemKey, String fingerprint) {
        return settle("REJECTED", userId, withdrawalId, idemKey, fingerprint, reason, "");
    }

    /** An expiry of the withdrawal if it was requested at or before {@code requestedBy} (epoch ms). */
    private List<Object> expire(String userId, String withdrawalId, long requestedBy) {
        return settle("REJECTED", userId, withdrawalId, null, "", "expired", Long.toString(requestedBy));
    }

    private List<Object> settle(String outcome, String userId, String withdrawalId, String idemKey, String fingerprint,
            String reason, String expiredBefore) {
        List<String> k = new ArrayList<>(List.of(keys.wallet(userId), keys.withdrawal(userId, withdrawalId),
                keys.withdrawals(userId, "PENDING"), keys.withdrawals(userId, outcome), keys.ledger(userId),
                keys.outbox(userId), keys.queue(userId, "PENDING"), keys.queue(userId, outcome), keys.queue(userId, "EXPIRED"),
                keys.withdrawalWindow(userId), keys.alerts(userId)));
        addIf(k, idemKey);
        return eval("settle", k, List.of(userId, withdrawalId, keys.newId(), "2000", fingerprint, "86400",
                keys.changes(userId), outcome, reason, expiredBefore));
    }

    private static void addIf(List<String> keys, String key) {
        if (key != null) {
            keys.add(key);
        }
    }

    /** Runs the script as the service does: its arguments, then no trace parent and the actor. */
    private static List<Object> eval(String name, List<String> keys, List<String> args) {
        List<String> all = new ArrayList<>(args);
        all.add("");   // no trace parent
        all.add(ACTOR);
        return (List<Object>) redis.execute(LuaScript.load(name, "_common"), keys, all).next().block(TIMEOUT);
    }

    private static Map<String, String> hash(String key) {
        return redis.<String, String>opsForHash().entries(key)
                .collectMap(Map.Entry::getKey, Map.Entry::getValue).block(TIMEOUT);
    }
}
