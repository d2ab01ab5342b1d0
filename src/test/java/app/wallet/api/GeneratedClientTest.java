package app.wallet.api;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import app.wallet.client.ApiClient;
import app.wallet.client.ApiException;
import app.wallet.client.api.LedgerApi;
import app.wallet.client.api.OperationsApi;
import app.wallet.client.api.WalletsApi;
import app.wallet.client.api.WithdrawalsApi;
import app.wallet.client.model.CreditRequest;
import app.wallet.client.model.LedgerEntry;
import app.wallet.client.model.Problem;
import app.wallet.client.model.ProblemCode;
import app.wallet.client.model.Wallet;
import app.wallet.client.model.Withdrawal;
import app.wallet.client.model.WithdrawalRequest;
import app.wallet.client.model.WithdrawalStatus;
import app.wallet.support.IntegrationTest;
import app.wallet.support.LocalTokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The Java client openapi-generator makes from the OpenAPI document (at build time, see the pom), used as an
 * integrator would: the earnings service credits, the owner withdraws and reads, an operator approves.
 */
class GeneratedClientTest extends IntegrationTest {

    @Test
    void aGeneratedClientMovesMoneyThroughTheWholeApi() throws Exception {
        String userId = newUserId();
        WalletsApi earnings = new WalletsApi(client("earnings-service", "wallet:credit"));
        WalletsApi ownerWallets = new WalletsApi(client(userId, "wallet:read wallet:withdraw"));
        WithdrawalsApi ownerWithdrawals = new WithdrawalsApi(client(userId, "wallet:read wallet:withdraw"));
        ApiClient operatorClient = client("operator-7", "wallet:operate");
        WithdrawalsApi operator = new WithdrawalsApi(operatorClient);

        Wallet credited = earnings.credit(userId, new CreditRequest().amount(10_000L).reference("run-1"), "run-1-" + userId);
        Wallet replayed = earnings.credit(userId, new CreditRequest().amount(10_000L).reference("run-1"), "run-1-" + userId);
        assertThat(credited.getBalance()).isEqualTo(10_000L);
        assertThat(replayed).isEqualTo(credited);

        Thread.sleep(5);   // the next change a few milliseconds later: the credit's instant names the credit alone
        Withdrawal requested = ownerWithdrawals.requestWithdrawal(userId, new WithdrawalRequest().amount(8_000L), null);
        assertThat(requested.getStatus()).isEqualTo(WithdrawalStatus.PENDING);
        assertThat(requested.getWallet().getBalance()).isEqualTo(2_000L);
        assertThat(requested.getWallet().getPending()).isEqualTo(8_000L);
        assertThat(requested.getProcessedAt()).isNull();
        assertThat(ownerWithdrawals.listWithdrawals(userId, WithdrawalStatus.PENDING, 10, null).getItems())
                .extracting(Withdrawal::getId).containsExactly(requested.getId());

        Withdrawal approved = operator.approveWithdrawal(userId, requested.getId(), null, Map.of());
        assertThat(approved.getStatus()).isEqualTo(WithdrawalStatus.APPROVED);
        assertThat(approved.getWallet().getTotalWithdrawn()).isEqualTo(8_000L);

        ApiException notPending = catchThrowableOfType(ApiException.class,
                () -> operator.rejectWithdrawal(userId, requested.getId(), null, null));
        assertThat(notPending.getCode()).isEqualTo(409);
        Problem problem = operatorClient.getObjectMapper().readValue(notPending.getResponseBody(), Problem.class);
        assertThat(problem.getCode()).isEqualTo(ProblemCode.WITHDRAWAL_NOT_PENDING);

        Wallet wallet = ownerWallets.getWallet(userId, null);
        assertThat(ownerWallets.getWallet(userId, credited.getUpdatedAt())).isEqualTo(credited);
        assertThat(wallet.getBalance() + wallet.getPending() + wallet.getTotalWithdrawn()).isEqualTo(wallet.getTotalEarnings());
        assertThat(wallet.getVersion()).isEqualTo(3L);
        assertThat(new LedgerApi(operatorClient).listTransactions(userId, 50, null).getItems())
                .extracting(LedgerEntry::getActor).containsExactly("operator-7", userId, "earnings-service");
        assertThat(new OperationsApi(operatorClient).audit().getWalletsChecked()).isPositive();
    }

    private ApiClient client(String subject, String scopes) {
        String token = LocalTokens.shared().token(subject, scopes, Duration.ofMinutes(10));
        ApiClient api = new ApiClient();
        api.updateBaseUri("http://127.0.0.1:" + port);
        api.setRequestInterceptor(request -> request.header("Authorization", "Bearer " + token));
        return api;
    }
}
