package wallet;

import static io.gatling.javaapi.core.CoreDsl.*;
import static wallet.WalletLoad.*;

import io.gatling.javaapi.core.*;
import io.gatling.javaapi.http.*;
import java.time.Duration;

/**
 * Many small credits to a few wallets: {@code users} virtual users (ramped up over {@code ramp}
 * seconds) credit random amounts of 1..{@code maxAmount} cents to random wallets of the run for
 * {@code duration} seconds. Every 200 adds its amount to the ledger.
 *
 * <p>Ends with the conservation check: per wallet {@code totalEarnings == balance == sum of the
 * credits answered 200}, to the cent, and nothing pending or withdrawn.
 *
 * <pre>
 * ./mvnw -f gatling/pom.xml gatling:test -Dgatling.simulationClass=wallet.HighFrequencyCreditsSimulation -Dusers=10 -Dduration=5
 * </pre>
 */
public class HighFrequencyCreditsSimulation extends Simulation {

    // Load parameters (system properties, see WalletLoad for baseUrl and runId)
    private static final int USERS = intProperty("users", 10, 1);
    private static final long DURATION = longProperty("duration", 10, 1);
    private static final long RAMP = longProperty("ramp", 1, 0);
    private static final int WALLETS = intProperty("wallets", 3, 1);
    private static final long MAX_AMOUNT = longProperty("maxAmount", 100, 1);
    private static final long PAUSE_MS = longProperty("pauseMs", 0, 0);

    private static final Ledger LEDGER =
            new Ledger(HighFrequencyCreditsSimulation.class.getSimpleName(), RUN_ID, "hf", WALLETS);

    // Protocol
    private static final HttpProtocolBuilder HTTP_PROTOCOL = httpProtocol();

    // Scenarios
    private static final ScenarioBuilder SEED = seed(LEDGER, 1);

    private static final ScenarioBuilder CREDITS = scenario("High-frequency credits")
            .during(Duration.ofSeconds(DURATION), false).on(
                    prepareCredit(LEDGER, 1, MAX_AMOUNT)
                            .exec(credit(LEDGER, "Credit", false))
                            .pause(Duration.ofMillis(PAUSE_MS)));

    private static final ScenarioBuilder CHECK = conservationCheck(LEDGER);

    // Assertions (WalletLoad): no failed request, a violation found by the check included; p99 bound

    {
        System.out.println("[" + getClass().getSimpleName() + "] " + BASE_URL + " run " + RUN_ID + ": "
                + USERS + " users (ramp " + RAMP + " s) for " + DURATION + " s on " + WALLETS
                + " wallets, credits of 1.." + MAX_AMOUNT + ", p99 < " + P99_MS + " ms");
        setUp(SEED.injectOpen(atOnceUsers(1)).andThen(
                        CREDITS.injectOpen(rampUsers(USERS).during(Duration.ofSeconds(RAMP))).andThen(
                                CHECK.injectOpen(atOnceUsers(1)))))
                .protocols(HTTP_PROTOCOL)
                .assertions(NO_FAILED_REQUESTS, P99_RESPONSE_TIME);
    }

    @Override
    public void after() {
        System.out.println(LEDGER.summary());
    }
}
