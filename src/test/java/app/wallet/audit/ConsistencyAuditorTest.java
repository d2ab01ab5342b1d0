package app.wallet.audit;

import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import reactor.test.StepVerifier;

import app.wallet.store.WalletKeys;
import app.wallet.support.IntegrationTest;
import app.wallet.support.WalletApi;

import static org.assertj.core.api.Assertions.assertThat;

/** The audit finds wallets corrupted on purpose, straight in Redis, and passes the healthy ones. */
class ConsistencyAuditorTest extends IntegrationTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Autowired
    private ReactiveStringRedisTemplate redis;
    @Autowired
    private WalletKeys keys;
    @Autowired
    private ConsistencyAuditor auditor;
    @Autowired
    private MeterRegistry registry;

    @Test
    void aHealthyWalletPasses() {
        String user = walletWithHistory();
        StepVerifier.create(auditor.check(user)).assertNext(violations -> assertThat(violations).isEmpty())
                .expectComplete().verify(TIMEOUT);
    }

    @Test
    void moneyThatAppearedOutsideTheScriptsIsFound() {
        String user = walletWithHistory();
        redis.opsForHash().increment(keys.wallet(user), "balance", 1).block(TIMEOUT);
        StepVerifier.create(auditor.check(user))
                .assertNext(violations -> assertThat(violations)
                        .anyMatch(v -> v.contains("totalEarnings"))
                        .anyMatch(v -> v.contains("the ledger replays")))
                .expectComplete().verify(TIMEOUT);
        redis.delete(keys.wallet(user)).block(TIMEOUT);
    }

    @Test
    void aPendingAmountWithoutItsWithdrawalIsFound() {
        String user = walletWithHistory();
        redis.opsForHash().increment(keys.wallet(user), "pending", 5).block(TIMEOUT);
        redis.opsForHash().increment(keys.wallet(user), "balance", -5).block(TIMEOUT);
        StepVerifier.create(auditor.check(user))
                .assertNext(violations -> assertThat(violations).anyMatch(v -> v.contains("PENDING withdrawals")))
                .expectComplete().verify(TIMEOUT);
        redis.delete(keys.wallet(user)).block(TIMEOUT);
    }

    @Test
    void aFieldThatIsNotANumberIsReportedNotFatal() {
        String user = walletWithHistory();
        redis.opsForHash().put(keys.wallet(user), "pending", "lots").block(TIMEOUT);
        StepVerifier.create(auditor.check(user))
                .assertNext(violations -> assertThat(violations).singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                        .startsWith("could not be verified"))
                .expectComplete().verify(TIMEOUT);
        redis.delete(keys.wallet(user)).block(TIMEOUT);
    }

    @Test
    void theOnDemandAuditReportsAndCountsTheCorruptedWalletOnly() {
        String healthy = walletWithHistory();
        String corrupted = walletWithHistory();
        redis.opsForHash().put(keys.wallet(corrupted), "balance", "-1").block(TIMEOUT);
        double failuresBefore = registry.counter("wallet.balance.consistency.check.failures").count();

        client.post().uri("/api/v1/admin/audit").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.walletsChecked").value(Integer.class, checked -> assertThat(checked).isGreaterThanOrEqualTo(2))
                .jsonPath("$.failures").value(Integer.class, failures -> assertThat(failures).isGreaterThanOrEqualTo(1))
                .jsonPath("$.failedWallets").value(java.util.List.class, failed -> assertThat(failed)
                        .contains(corrupted).doesNotContain(healthy));
        assertThat(registry.counter("wallet.balance.consistency.check.failures").count()).isGreaterThan(failuresBefore);

        redis.delete(keys.wallet(corrupted)).block(TIMEOUT);
    }

    private String walletWithHistory() {
        String user = newUserId();
        WalletApi api = new WalletApi(client);
        api.credit(user, 10_000);
        String approved = api.withdraw(user, 1_000).get("id").stringValue();
        String rejected = api.withdraw(user, 2_000).get("id").stringValue();
        api.withdraw(user, 3_000);
        api.approve(user, approved);
        api.reject(user, rejected);
        return user;
    }
}
