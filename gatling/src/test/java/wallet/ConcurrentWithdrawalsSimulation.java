package wallet;

import static io.gatling.javaapi.core.CoreDsl.*;
import static wallet.WalletLoad.*;

import io.gatling.javaapi.core.*;
import io.gatling.javaapi.http.*;
import java.time.Duration;

/**
 * A few wallets seeded with a known credit, then {@code users} virtual users, all started at once,
 * hammer withdrawals on those same wallets for {@code duration} seconds until (and after) their
 * balances run out. 422 insufficient-balance is an expected answer; what must never happen is a
 * wallet accepting (201) more than it was credited.
 *
 * <p>Ends with the conservation check: per wallet {@code pending + totalWithdrawn == sum of the
 * 201 amounts <= credited}, {@code totalEarnings == credited}, nothing negative.
 *
 * <pre>
 * ./mvnw -f gatling/pom.xml gatling:test -Dgatling.simulationClass=wallet.ConcurrentWithdrawalsSimulation -Dusers=10 -Dduration=5
 * </pre>
 */
public class ConcurrentWithdrawalsSimulation extends Simulation {

    // Load parameters (system properties, see WalletLoad for baseUrl and runId)
    private static final int USERS = intProperty("users", 10, 1);
    private static final long DURATION = longProperty("duration", 10, 1);
    private static final int WALLETS = intProperty("wallets", 3, 1);
    private static final long SEED_CREDIT = longProperty("seedCredit", 1_000_000, 1);
    private static final long MIN_AMOUNT = longProperty("minAmount", 1_000, 1);
    private static final long MAX_AMOUNT = longProperty("maxAmount", 10_000, MIN_AMOUNT);
    private static final long PAUSE_MS = longProperty("pauseMs", 0, 0);

    private static final Ledger LEDGER =
            new Ledger(ConcurrentWithdrawalsSimulation.class.getSimpleName(), RUN_ID, "cw", WALLETS);

    // Protocol
    private static final HttpProtocolBuilder HTTP_PROTOCOL = httpProtocol();

    // Scenarios
    private static final ScenarioBuilder SEED = seed(LEDGER, SEED_CREDIT);

    private static final ScenarioBuilder WITHDRAWALS = scenario("Concurrent withdrawals")
            .during(Duration.ofSeconds(DURATION), false).on(
                    prepareWithdrawal(LEDGER, MIN_AMOUNT, MAX_AMOUNT)
                            .exec(withdraw(LEDGER, "Withdraw", false))
                            .pause(Duration.ofMillis(PAUSE_MS)));

    private static final ScenarioBuilder CHECK = conservationCheck(LEDGER);

    // Assertions (WalletLoad): no failed request, a violation found by the check included; p99 bound

    {
        System.out.println("[" + getClass().getSimpleName() + "] " + BASE_URL + " run " + RUN_ID + ": "
                + USERS + " users for " + DURATION + " s on " + WALLETS + " wallets seeded with " + SEED_CREDIT
                + ", withdrawals of " + MIN_AMOUNT + ".." + MAX_AMOUNT + ", p99 < " + P99_MS + " ms");
        setUp(SEED.injectOpen(atOnceUsers(1)).andThen(
                        WITHDRAWALS.injectOpen(atOnceUsers(USERS)).andThen(
                                CHECK.injectOpen(atOnceUsers(1)))))
                .protocols(HTTP_PROTOCOL)
                .assertions(NO_FAILED_REQUESTS, P99_RESPONSE_TIME);
    }

    @Override
    public void after() {
        System.out.println(LEDGER.summary());
    }
}
