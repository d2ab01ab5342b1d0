package wallet;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;
import static wallet.WalletLoad.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatling.http.action.sse.SseInboundMessage;
import io.gatling.javaapi.core.*;
import io.gatling.javaapi.http.*;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Everything at once on the same wallets: {@code users} virtual users pick, each turn, a credit
 * (some with an Idempotency-Key, some of those replayed), a withdrawal, an approval or a rejection
 * of a withdrawal an earlier 201 answered (some left for another user too, so approve/approve and
 * approve/reject races happen: 409 withdrawal-not-pending is expected), or a read; meanwhile
 * {@code sseReaders} users connect to balance streams, await the first event, keep the stream
 * open for {@code sseHoldMs} and check every event received (invariant, rising versions), then
 * close.
 *
 * <p>Every other wallet gets a withdrawal policy (auto-approval of amounts up to a fifth of
 * {@code maxAmount}, a 24-hour limit of {@code dailyLimit}) and two balance alerts: 201 APPROVED and
 * 422 withdrawal-limit-exceeded are expected outcomes there, and the streams check the alert events
 * they get as they check balances.
 *
 * <p>Ends with the conservation check (see {@link Ledger}).
 *
 * <pre>
 * ./mvnw -f gatling/pom.xml gatling:test -Dgatling.simulationClass=wallet.MixedSimulation -Dusers=10 -Dduration=5
 * </pre>
 */
public class MixedSimulation extends Simulation {

    // Load parameters (system properties, see WalletLoad for baseUrl and runId)
    private static final int USERS = intProperty("users", 10, 1);
    private static final long DURATION = longProperty("duration", 10, 1);
    private static final long RAMP = longProperty("ramp", 1, 0);
    private static final int WALLETS = intProperty("wallets", 5, 1);
    private static final long SEED_CREDIT = longProperty("seedCredit", 100_000, 1);
    private static final long MAX_AMOUNT = longProperty("maxAmount", 5_000, 1);
    private static final int SSE_READERS = intProperty("sseReaders", 3, 0);
    private static final long SSE_HOLD_MS = longProperty("sseHoldMs", 1_000, 0);
    private static final long PAUSE_MS = longProperty("pauseMs", 0, 0);
    private static final long DAILY_LIMIT = longProperty("dailyLimit", 200_000, 0);

    private static final Ledger LEDGER = new Ledger(MixedSimulation.class.getSimpleName(), RUN_ID, "mx", WALLETS);

    // Protocol: keep the events that arrive while no SSE check waits, to check them all
    private static final HttpProtocolBuilder HTTP_PROTOCOL = httpProtocol().sseUnmatchedInboundMessageBufferSize(10_000);

    // Scenarios
    private static final ScenarioBuilder SEED = seed(LEDGER, SEED_CREDIT);

    /** A policy and two alerts (one on each field) on every other wallet. */
    private static final ScenarioBuilder POLICIES = scenario("Policies and alerts")
            .foreach(LEDGER.walletIds.stream().filter(id -> LEDGER.walletIds.indexOf(id) % 2 == 0).toList(), "walletId").on(
                    exec(http("Set policy")
                            .put(API + "/wallets/#{walletId}/policy")
                            .header("Authorization", TOKENS.operator())
                            .body(StringBody("{\"autoApproveMax\":" + Math.max(1, MAX_AMOUNT / 5) + ",\"dailyLimit\":"
                                    + DAILY_LIMIT + "}"))
                            .check(status().is(200)))
                    .exec(http("Add balance alert")
                            .post(API + "/wallets/#{walletId}/alerts")
                            .header("Authorization", TOKENS.ownerOf("walletId"))
                            .body(StringBody("{\"name\":\"low-balance\",\"field\":\"balance\",\"below\":" + SEED_CREDIT / 2 + "}"))
                            .check(status().is(201)))
                    .exec(http("Add pending alert")
                            .post(API + "/wallets/#{walletId}/alerts")
                            .header("Authorization", TOKENS.ownerOf("walletId"))
                            .body(StringBody("{\"name\":\"much-pending\",\"field\":\"pending\",\"above\":" + MAX_AMOUNT * 2 + "}"))
                            .check(status().is(201))));

    private static final ChainBuilder CREDIT = prepareCredit(LEDGER, 1, MAX_AMOUNT)
            .exec(credit(LEDGER, "Credit", false));

    private static final ChainBuilder IDEMPOTENT_CREDIT = prepareCredit(LEDGER, 1, MAX_AMOUNT)
            .exec(credit(LEDGER, "Credit (Idempotency-Key)", true))
            .randomSwitch().on(percent(30.0).then(replayCredit(LEDGER, "Credit (replay)")));

    private static final ChainBuilder WITHDRAW = prepareWithdrawal(LEDGER, 1, MAX_AMOUNT)
            .exec(withdraw(LEDGER, "Withdraw", true));

    private static final ChainBuilder APPROVE = process(LEDGER, true, 0.15);

    private static final ChainBuilder REJECT = process(LEDGER, false, 0.15);

    private static final ChainBuilder READ = exec(session -> session.set("walletId", LEDGER.randomWallet()))
            .exec(http("Get wallet")
                    .get(API + "/wallets/#{walletId}")
                    .header("Authorization", TOKENS.ownerOf("walletId"))
                    .check(status().is(200),
                            snapshotCheck(LEDGER, "Get wallet", WALLET_FIELDS, "walletId")))
            .exec(http("List pending withdrawals")
                    .get(API + "/wallets/#{walletId}/withdrawals?status=PENDING&limit=20")
                    .header("Authorization", TOKENS.ownerOf("walletId"))
                    .check(status().is(200), jmesPath("items").exists()));

    private static final ScenarioBuilder MIXED = scenario("Mixed operations")
            .during(Duration.ofSeconds(DURATION), false).on(
                    randomSwitch().on(
                            percent(25.0).then(CREDIT),
                            percent(10.0).then(IDEMPOTENT_CREDIT),
                            percent(35.0).then(WITHDRAW),
                            percent(12.0).then(APPROVE),
                            percent(10.0).then(REJECT),
                            percent(8.0).then(READ))
                            .pause(Duration.ofMillis(PAUSE_MS)));

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Readers that have left their loop: the check waits for all of them (their findings count). */
    private static final AtomicInteger READERS_DONE = new AtomicInteger();

    private static final ScenarioBuilder SSE_READER = scenario("Balance stream readers")
            .during(Duration.ofSeconds(DURATION), false).on(
                    exec(session -> session.set("walletId", LEDGER.randomWallet()).remove("streamVersion"))
                            .exec(sse("Stream connect")
                                    .get(API + "/wallets/#{walletId}/stream")
                                    .header("Authorization", TOKENS.ownerOf("walletId"))
                                    .await(Duration.ofSeconds(10)).on(
                                            sse.checkMessage("First balance event").check(
                                                    jmesPath("event").is("balance"),
                                                    jmesPath("data.userId").isEL("#{walletId}"),
                                                    jmesPath("data.version").ofLong().saveAs("streamVersion"),
                                                    snapshotCheck(LEDGER, "first stream event", STREAM_WALLET_FIELDS, "walletId"))))
                            .pause(Duration.ofMillis(SSE_HOLD_MS))
                            .exec(sse.processUnmatchedMessages(MixedSimulation::checkStreamEvents))
                            .exec(sse("Stream close").close())
                            .pause(Duration.ofMillis(100), Duration.ofMillis(300)))
            .exec(session -> {
                READERS_DONE.incrementAndGet();
                return session;
            });

    /**
     * The events a reader got after the first one: each a consistent snapshot of its wallet, with
     * versions strictly rising (the stream may skip, never go back). A bad one is recorded against
     * the wallet, so the final check fails.
     */
    private static Session checkStreamEvents(List<SseInboundMessage> messages, Session session) {
        if (!session.contains("streamVersion")) {
            return session; // the first event already failed the connect
        }
        String walletId = session.getString("walletId");
        long last = session.getLong("streamVersion");
        for (SseInboundMessage message : messages) {
            LEDGER.streamMessages.incrementAndGet();
            try {
                JsonNode event = JSON.readTree(message.message());
                boolean alert = "alert".equals(event.path("event").asText());
                if (!alert && !"balance".equals(event.path("event").asText())) {
                    continue;
                }
                // An alert carries the wallet its change left: held to the invariant, not to rising versions.
                JsonNode data = alert ? event.path("data").path("wallet") : event.path("data");
                List<Object> fields = new ArrayList<>(4);
                for (String name : WALLET_FIELD_NAMES) {
                    JsonNode v = data.get(name);
                    fields.add(v != null && v.canConvertToExactIntegral() ? (Object) v.asLong() : v);
                }
                String problem = Ledger.snapshotProblem(fields);
                long version = data.path("version").asLong(-1);
                if (!"ok".equals(problem)) {
                    LEDGER.streamViolation(walletId, "version " + version + ": " + problem);
                } else if (!walletId.equals(data.path("userId").asText())) {
                    LEDGER.streamViolation(walletId, "event of another wallet: " + data.path("userId").asText());
                } else if (alert) {
                    LEDGER.streamAlerts.incrementAndGet();
                    continue;
                } else if (version <= last) {
                    LEDGER.streamViolation(walletId, "version " + version + " after version " + last);
                }
                last = Math.max(last, version);
            } catch (Exception e) {
                LEDGER.streamViolation(walletId, "unreadable event " + message.message() + ": " + e);
            }
        }
        return session.set("streamVersion", last);
    }

    private static final ScenarioBuilder CHECK = scenario("Conservation check")
            .asLongAsDuring(session -> READERS_DONE.get() < SSE_READERS, Duration.ofSeconds(60)).on(
                    pause(Duration.ofMillis(200)))
            .exec(conservationCheckChain(LEDGER));

    // Assertions (WalletLoad): no failed request, a violation found by the check included; p99 bound

    {
        System.out.println("[" + getClass().getSimpleName() + "] " + BASE_URL + " run " + RUN_ID + ": "
                + USERS + " users (ramp " + RAMP + " s) and " + SSE_READERS + " stream readers for " + DURATION
                + " s on " + WALLETS + " wallets seeded with " + SEED_CREDIT + ", amounts 1.." + MAX_AMOUNT
                + ", p99 < " + P99_MS + " ms");
        List<PopulationBuilder> load = new ArrayList<>();
        load.add(MIXED.injectOpen(rampUsers(USERS).during(Duration.ofSeconds(RAMP)))
                .andThen(CHECK.injectOpen(atOnceUsers(1))));
        if (SSE_READERS > 0) {
            load.add(SSE_READER.injectOpen(rampUsers(SSE_READERS).during(Duration.ofSeconds(RAMP))));
        }
        setUp(SEED.injectOpen(atOnceUsers(1)).andThen(POLICIES.injectOpen(atOnceUsers(1)).andThen(load)))
                .protocols(HTTP_PROTOCOL)
                .assertions(NO_FAILED_REQUESTS, P99_RESPONSE_TIME);
    }

    @Override
    public void after() {
        System.out.println(LEDGER.summary());
    }
}
