package app.wallet.withdrawal;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import reactor.test.StepVerifier;

import app.wallet.store.Idempotency;
import app.wallet.store.Refusal;
import app.wallet.store.StoreException;
import app.wallet.support.IntegrationTest;
import app.wallet.wallet.WalletService;

import static org.assertj.core.api.Assertions.assertThat;

/** The services' Mono pipelines, verified step by step against the real Redis. */
class WithdrawalServiceTest extends IntegrationTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Autowired
    private WalletService wallets;

    @Autowired
    private WithdrawalService withdrawals;

    @Test
    void aWithdrawalReservesTheAmountAndApprovalSettlesIt() {
        String user = newUserId();
        StepVerifier.create(wallets.credit(user, 10_000, null, "tester", Optional.empty()))
                .assertNext(applied -> assertThat(applied.result().balance()).isEqualTo(10_000))
                .expectComplete()
                .verify(TIMEOUT);

        Withdrawal requested = withdrawals.request(user, 8_000, "tester", Optional.empty()).block(TIMEOUT).result();
        assertThat(requested.status()).isEqualTo(WithdrawalStatus.PENDING);
        assertThat(requested.wallet().pending()).isEqualTo(8_000);

        StepVerifier.create(withdrawals.approve(user, requested.id(), "tester", Optional.empty()))
                .assertNext(applied -> {
                    assertThat(applied.replayed()).isFalse();
                    assertThat(applied.result().status()).isEqualTo(WithdrawalStatus.APPROVED);
                    assertThat(applied.result().wallet().totalWithdrawn()).isEqualTo(8_000);
                    assertThat(applied.result().wallet().version()).isEqualTo(3);
                })
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void refusalsArriveAsTypedErrors() {
        String user = newUserId();
        StepVerifier.create(withdrawals.request(user, 1, "tester", Optional.empty()))
                .expectErrorSatisfies(e -> assertThat(((StoreException.Refused) e).reason()).isEqualTo(Refusal.WALLET_NOT_FOUND))
                .verify(TIMEOUT);
        wallets.credit(user, 5, null, "tester", Optional.empty()).block(TIMEOUT);
        StepVerifier.create(withdrawals.request(user, 6, "tester", Optional.empty()))
                .expectErrorSatisfies(e -> assertThat(((StoreException.Refused) e).reason()).isEqualTo(Refusal.INSUFFICIENT_BALANCE))
                .verify(TIMEOUT);
        StepVerifier.create(withdrawals.find(user, "0193a4b2-0000-7000-8000-000000000000"))
                .expectErrorSatisfies(e -> assertThat(((StoreException.Refused) e).reason()).as("a withdrawal not found").isEqualTo(Refusal.WITHDRAWAL_NOT_FOUND))
                .verify(TIMEOUT);
    }

    @Test
    void aReplayedRejectionIsMarkedAndChangesNothing() {
        String user = newUserId();
        wallets.credit(user, 100, null, "tester", Optional.empty()).block(TIMEOUT);
        String id = withdrawals.request(user, 40, "tester", Optional.empty()).block(TIMEOUT).result().id();
        Optional<Idempotency> key = Optional.of(new Idempotency("reject-1", "fingerprint"));
        withdrawals.reject(user, id, "no", "tester", key).block(TIMEOUT);

        StepVerifier.create(withdrawals.reject(user, id, "no", "tester", key))
                .assertNext(applied -> {
                    assertThat(applied.replayed()).isTrue();
                    assertThat(applied.result().reason()).isEqualTo("no");
                    assertThat(applied.result().wallet().version()).isEqualTo(3);
                })
                .expectComplete()
                .verify(TIMEOUT);
        StepVerifier.create(wallets.find(user))
                .assertNext(wallet -> assertThat(wallet.version()).isEqualTo(3))
                .expectComplete()
                .verify(TIMEOUT);
    }
}
