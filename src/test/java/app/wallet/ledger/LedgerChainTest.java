package app.wallet.ledger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.StreamRecords;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;

import app.wallet.audit.ConsistencyAuditor;
import app.wallet.store.Idempotency;
import app.wallet.store.WalletKeys;
import app.wallet.support.IntegrationTest;
import app.wallet.support.WalletApi;
import app.wallet.wallet.WalletService;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ledger's hash chain on a real Redis: every entry linked to the one before it, verified over HTTP and
 * by the audit; history edited behind the service's back (an entry deleted, an entry replaced, a wallet
 * changed without its entry) is reported at the version where it happened.
 */
class LedgerChainTest extends IntegrationTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Autowired
    private ReactiveStringRedisTemplate redis;

    @Autowired
    private WalletKeys keys;

    @Autowired
    private WalletService wallets;

    @Autowired
    private ConsistencyAuditor auditor;

    @Autowired
    private MeterRegistry registry;

    @Test
    void everyChangeLinksToTheOneBeforeAndTheChainVerifies() {
        String user = changedFourTimes();
        JsonNode entries = client.get().uri("/api/v1/wallets/{u}/transactions", user).exchange()
                .expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody().get("items");
        // Newest first: each entry's previous hash is the hash of the entry below it.
        for (int i = 0; i < entries.size() - 1; i++) {
            assertThat(entries.get(i).get("previousHash").stringValue()).isEqualTo(entries.get(i + 1).get("hash").stringValue());
        }
        assertThat(entries.get(entries.size() - 1).get("previousHash").stringValue()).isEqualTo(LedgerChain.NO_HASH);

        JsonNode report = verify(user);
        assertThat(report.get("valid").booleanValue()).isTrue();
        assertThat(report.get("brokenAt").isNull()).isTrue();
        assertThat(report.get("entries").longValue()).isEqualTo(4);
        assertThat(report.get("chainedFrom").longValue()).isEqualTo(1);
        assertThat(report.get("head").stringValue()).isEqualTo(entries.get(0).get("hash").stringValue());
        assertThat(auditor.check(user).block(TIMEOUT)).isEmpty();
    }

    @Test
    void anEntryDeletedIsReportedAtItsVersion() {
        String user = changedFourTimes();
        redis.opsForStream().delete(keys.ledger(user), entries(user).get(1).getId()).block(TIMEOUT);

        assertBrokenAt(user, 2);
    }

    @Test
    void anEntryReplacedWithAnotherAmountIsReportedAtItsVersion() {
        String user = changedFourTimes();
        MapRecord<String, Object, Object> second = entries(user).get(1);
        Map<Object, Object> changed = new java.util.HashMap<>(second.getValue());
        changed.put("amount", "1");
        // The only way to change a stream entry: delete it and add another, which lands at the end.
        redis.opsForStream().delete(keys.ledger(user), second.getId()).block(TIMEOUT);
        redis.opsForStream().add(StreamRecords.newRecord().in(keys.ledger(user)).ofMap(changed)).block(TIMEOUT);

        assertBrokenAt(user, 2);
    }

    @Test
    void anEntryRewrittenInPlaceOfItselfIsReportedToo() {
        String user = changedFourTimes();
        // Every entry deleted and added again in order, the last one's amount changed: versions line up.
        List<MapRecord<String, Object, Object>> all = entries(user);
        redis.delete(keys.ledger(user)).block(TIMEOUT);
        for (int i = 0; i < all.size(); i++) {
            Map<Object, Object> fields = new java.util.HashMap<>(all.get(i).getValue());
            if (i == all.size() - 1) {
                fields.put("reference", "not what was asked");
            }
            redis.opsForStream().add(StreamRecords.newRecord().in(keys.ledger(user)).ofMap(fields)).block(TIMEOUT);
        }

        assertBrokenAt(user, 4);
    }

    @Test
    void aWalletChangedWithoutItsEntryIsReportedAtItsVersion() {
        String user = changedFourTimes();
        redis.opsForHash().increment(keys.wallet(user), "balance", 500).block(TIMEOUT);

        assertBrokenAt(user, 4);
    }

    @Test
    void aLedgerFromBeforeTheChainIsChainedFromItsFirstNewEntry() {
        String user = newUserId();
        // Two entries as an earlier version wrote them, without hashes, and the wallet they left.
        String ledger = keys.ledger(user);
        for (int version = 1; version <= 2; version++) {
            redis.opsForStream().add(StreamRecords.newRecord().in(ledger).ofMap(Map.of("id", "0193a4b2-0000-7000-8000-00000000000" + version,
                    "type", "CREDIT", "amount", "100", "withdrawalId", "", "reference", "", "balanceAfter", Long.toString(100L * version),
                    "pendingAfter", "0", "version", Integer.toString(version), "at", "1764900000000", "actor", "earnings"))).block(TIMEOUT);
        }
        redis.opsForHash().putAll(keys.wallet(user), Map.of("balance", "200", "pending", "0", "totalEarnings", "200",
                "totalWithdrawn", "0", "version", "2", "createdAt", "1764900000000", "updatedAt", "1764900000000")).block(TIMEOUT);
        new WalletApi(client).credit(user, 50);

        JsonNode report = verify(user);
        assertThat(report.get("valid").booleanValue()).isTrue();
        assertThat(report.get("entries").longValue()).isEqualTo(3);
        assertThat(report.get("chainedFrom").longValue()).isEqualTo(3);
    }

    @Test
    void aWalletOfTenThousandEntriesVerifies() {
        String user = newUserId();
        for (int batch = 0; batch < 10; batch++) {
            List<WalletService.Credit> credits = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                credits.add(new WalletService.Credit(user, 1, null, Idempotency.of("k-" + batch + "-" + i, "tester", i)));
            }
            Flux.from(wallets.creditAll(credits, "tester")).then().block(TIMEOUT);
        }
        JsonNode report = verify(user);
        assertThat(report.get("valid").booleanValue()).isTrue();
        assertThat(report.get("entries").longValue()).isEqualTo(10_000);
    }

    private void assertBrokenAt(String user, long version) {
        JsonNode report = verify(user);
        assertThat(report.get("valid").booleanValue()).isFalse();
        assertThat(report.get("brokenAt").longValue()).isEqualTo(version);
        double breaks = registry.counter("wallet.ledger.chain.breaks").count();
        assertThat(auditor.check(user).block(TIMEOUT)).contains("the ledger's chain breaks at version " + version);
        assertThat(registry.counter("wallet.ledger.chain.breaks").count()).isEqualTo(breaks + 1);
    }

    /** A credit, a withdrawal, its approval and a second credit. */
    private String changedFourTimes() {
        String user = newUserId();
        WalletApi api = new WalletApi(client);
        api.credit(user, 10_000);
        api.approve(user, api.withdraw(user, 4_000).get("id").stringValue());
        api.credit(user, 700);
        return user;
    }

    private JsonNode verify(String user) {
        return client.get().uri("/api/v1/wallets/{u}/transactions/verify", user).exchange()
                .expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();
    }

    private List<MapRecord<String, Object, Object>> entries(String user) {
        return redis.opsForStream().range(keys.ledger(user), Range.unbounded()).collectList().block(TIMEOUT);
    }
}
