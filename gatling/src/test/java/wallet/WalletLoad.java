package wallet;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.CheckBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Parameters, protocol and chains shared by the wallet simulations.
 *
 * <p>Every parameter is a Java system property, passed on the Maven command line with {@code -D}
 * (the Gatling plugin hands them to the forked Gatling JVM). A malformed value stops the run
 * instead of silently falling back to the default.
 */
final class WalletLoad {

    /** The global p99 bound in ms ({@code -Dp99}). */
    static final int P99_MS = intProperty("p99", 1000, 0);

    /** A violation found by the conservation check is a failed request, so none may fail. */
    static final Assertion NO_FAILED_REQUESTS = global().failedRequests().count().is(0L);

    static final Assertion P99_RESPONSE_TIME = global().responseTime().percentile(99.0).lt(P99_MS);

    private WalletLoad() {}

    static final String API = "/api/v1";
    static final Pattern USER_ID = Pattern.compile("^[A-Za-z0-9_-]{1,64}$");

    /** The four money fields of a wallet, in the order the checks extract them. */
    static final List<String> WALLET_FIELD_NAMES = List.of("balance", "pending", "totalEarnings", "totalWithdrawn");
    static final String WALLET_FIELDS = "[balance, pending, totalEarnings, totalWithdrawn]";
    static final String NESTED_WALLET_FIELDS =
            "[wallet.balance, wallet.pending, wallet.totalEarnings, wallet.totalWithdrawn]";
    static final String STREAM_WALLET_FIELDS =
            "[data.balance, data.pending, data.totalEarnings, data.totalWithdrawn]";

    // ---- parameters -------------------------------------------------------------------------

    static String stringProperty(String name, String defaultValue) {
        String value = System.getProperty(name);
        return value == null || value.isBlank() ? defaultValue : value.trim();
    }

    static int intProperty(String name, int defaultValue, int min) {
        return (int) longProperty(name, defaultValue, min);
    }

    static long longProperty(String name, long defaultValue, long min) {
        String raw = System.getProperty(name);
        long value;
        try {
            value = raw == null || raw.isBlank() ? defaultValue : Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + name + " must be an integer, got '" + raw + "'");
        }
        if (value < min) {
            throw new IllegalArgumentException("-D" + name + " must be at least " + min + ", got " + value);
        }
        return value;
    }

    /** Target of all traffic; only 127.0.0.1 is used on this project's machines. */
    static final String BASE_URL = stringProperty("baseUrl", "http://127.0.0.1:8080");

    /** Bearer tokens per role: given as properties or from the local run's token endpoint. */
    static final Tokens TOKENS = new Tokens(BASE_URL);

    /**
     * Prefix of every wallet id this run makes, fresh for each run (so a run never meets the
     * wallets of an earlier one), or {@code -DrunId=...} to name it.
     */
    static final String RUN_ID = userId(stringProperty("runId",
            "gl" + Long.toString(System.currentTimeMillis(), 36)
                    + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36)));

    static String userId(String candidate) {
        if (!USER_ID.matcher(candidate).matches()) {
            throw new IllegalArgumentException("wallet id '" + candidate + "' does not match " + USER_ID
                    + " (choose a shorter -DrunId of letters, digits, '-' and '_')");
        }
        return candidate;
    }

    private static final AtomicLong REFERENCES = new AtomicLong();

    /** A unique credit reference (at most 128 chars, the contract's limit). */
    static String reference(String kind) {
        return RUN_ID + "-" + kind + "-" + REFERENCES.incrementAndGet();
    }

    static long randomAmount(long min, long max) {
        return ThreadLocalRandom.current().nextLong(min, max + 1);
    }

    // ---- protocol ---------------------------------------------------------------------------

    static HttpProtocolBuilder httpProtocol() {
        return http.baseUrl(BASE_URL)
                .acceptHeader("application/json")
                .contentTypeHeader("application/json")
                .userAgentHeader("wallet-gatling")
                .disableWarmUp();
    }

    // ---- checks -----------------------------------------------------------------------------

    /**
     * Fails the request when the wallet snapshot at {@code fieldsPath} (the four money fields)
     * breaks the invariant; {@code walletAttribute} names the session attribute with its id.
     */
    static CheckBuilder.Final snapshotCheck(Ledger ledger, String where, String fieldsPath, String walletAttribute) {
        return jmesPath(fieldsPath).ofList()
                .transformWithSession((fields, session) ->
                        ledger.snapshotVerdict(where, session.getString(walletAttribute), fields))
                .is("ok")
                .name("wallet invariant");
    }

    // ---- chains -----------------------------------------------------------------------------

    /** Picks a random wallet of the run and a credit amount in [min, max]. */
    static ChainBuilder prepareCredit(Ledger ledger, long min, long max) {
        return exec(session -> session.set("walletId", ledger.randomWallet())
                .set("amount", randomAmount(min, max))
                .set("reference", reference("c"))
                .set("idempotencyKey", reference("k")));
    }

    /**
     * POSTs a credit of {@code #{amount}} to {@code #{walletId}}; a 200 adds it to the ledger. With
     * {@code idempotent}, the request carries {@code Idempotency-Key: #{idempotencyKey}} and keeps
     * the response body in {@code #{creditBody}} for a replay.
     */
    static ChainBuilder credit(Ledger ledger, String requestName, boolean idempotent) {
        var request = http(requestName)
                .post(API + "/wallets/#{walletId}/credits")
                .header("Authorization", TOKENS.credit())
                .body(StringBody("{\"amount\":#{amount},\"reference\":\"#{reference}\"}"));
        if (idempotent) {
            request = request.header("Idempotency-Key", "#{idempotencyKey}");
        }
        return exec(session -> session.remove("credited").remove("creditBody"))
                .exec(request.check(
                        status().is(200).saveAs("credited"),
                        bodyString().saveAs("creditBody"),
                        jmesPath("userId").isEL("#{walletId}"),
                        snapshotCheck(ledger, requestName, WALLET_FIELDS, "walletId")))
                .exec(session -> {
                    if (session.contains("credited")) {
                        ledger.credited(session.getString("walletId"), session.getLong("amount"));
                    }
                    return session;
                });
    }

    /**
     * Replays the credit just made with the same Idempotency-Key and body: must answer 200 with
     * {@code Idempotent-Replayed: true} and the first body, and change nothing (the ledger is not
     * touched, so a replay applied twice breaks the final check).
     */
    static ChainBuilder replayCredit(Ledger ledger, String requestName) {
        return doIf(session -> session.contains("credited") && session.contains("creditBody")).then(
                exec(http(requestName)
                        .post(API + "/wallets/#{walletId}/credits")
                        .header("Authorization", TOKENS.credit())
                        .header("Idempotency-Key", "#{idempotencyKey}")
                        .body(StringBody("{\"amount\":#{amount},\"reference\":\"#{reference}\"}"))
                        .check(
                                status().is(200),
                                header("Idempotent-Replayed").is("true"),
                                bodyString().isEL("#{creditBody}")))
                        .exec(session -> {
                            ledger.replays.incrementAndGet();
                            return session;
                        }));
    }

    /** Picks a random wallet of the run and a withdrawal amount in [min, max]. */
    static ChainBuilder prepareWithdrawal(Ledger ledger, long min, long max) {
        return exec(session -> session.set("walletId", ledger.randomWallet())
                .set("amount", randomAmount(min, max)));
    }

    /**
     * POSTs a withdrawal of {@code #{amount}} from {@code #{walletId}}. 201 and 422 (insufficient-balance,
     * or withdrawal-limit-exceeded where the wallet has a policy) are all expected outcomes; a 201 adds the
     * amount to the ledger: PENDING (with {@code offerForProcessing}, its id joins the pool of withdrawals
     * to approve or reject), or APPROVED at once by the wallet's policy.
     */
    static ChainBuilder withdraw(Ledger ledger, String requestName, boolean offerForProcessing) {
        return exec(session -> session.remove("withdrawalStatus").remove("withdrawalId").remove("withdrawalState")
                        .remove("refusal"))
                .exec(http(requestName)
                        .post(API + "/wallets/#{walletId}/withdrawals")
                        .header("Authorization", TOKENS.ownerOf("walletId"))
                        .body(StringBody("{\"amount\":#{amount}}"))
                        .check(status().in(201, 422).saveAs("withdrawalStatus"))
                        .checkIf((response, session) -> response.status().code() == 201).then(
                                jmesPath("id").saveAs("withdrawalId"),
                                jmesPath("status").in("PENDING", "APPROVED").saveAs("withdrawalState"),
                                jmesPath("amount").ofLong().is(session -> session.getLong("amount")),
                                snapshotCheck(ledger, requestName, NESTED_WALLET_FIELDS, "walletId"))
                        .checkIf((response, session) -> response.status().code() == 422).then(
                                jmesPath("code").in("insufficient-balance", "withdrawal-limit-exceeded").saveAs("refusal")))
                .exec(session -> {
                    if (session.contains("withdrawalStatus")) {
                        int status = session.getInt("withdrawalStatus");
                        String walletId = session.getString("walletId");
                        long amount = session.getLong("amount");
                        if (status == 201 && "APPROVED".equals(session.getString("withdrawalState"))) {
                            ledger.withdrawalRequested(walletId, null, amount, false);
                            ledger.approved(walletId, amount);
                            ledger.autoApproved.incrementAndGet();
                        } else if (status == 201) {
                            ledger.withdrawalRequested(walletId,
                                    session.contains("withdrawalId") ? session.getString("withdrawalId") : null,
                                    amount, offerForProcessing);
                        } else if (status == 422 && "withdrawal-limit-exceeded".equals(session.getString("refusal"))) {
                            ledger.overLimit.incrementAndGet();
                        } else if (status == 422) {
                            ledger.insufficientBalance.incrementAndGet();
                        }
                    }
                    return session;
                });
    }

    /**
     * Takes a withdrawal answered 201 from the pool and approves ({@code approve}) or rejects it.
     * With probability {@code leaveInPoolRate} the id stays in the pool, so another virtual user
     * may approve or reject it concurrently or later: exactly one of them must win, the others get
     * 409 withdrawal-not-pending (expected, not a failure).
     */
    static ChainBuilder process(Ledger ledger, boolean approve, double leaveInPoolRate) {
        String action = approve ? "approve" : "reject";
        String requestName = approve ? "Approve withdrawal" : "Reject withdrawal";
        String finalStatus = approve ? "APPROVED" : "REJECTED";
        var request = http(requestName)
                .post(API + "/wallets/#{targetWallet}/withdrawals/#{targetId}/" + action)
                .header("Authorization", TOKENS.operator());
        if (!approve) {
            request = request.body(StringBody("{\"reason\":\"load test\"}"));
        }
        return exec(session -> {
                    Ledger.PendingWithdrawal target = ledger.pendingPool.poll();
                    if (target == null) {
                        return session.remove("targetId");
                    }
                    if (ThreadLocalRandom.current().nextDouble() < leaveInPoolRate) {
                        ledger.pendingPool.offer(target);
                    }
                    return session.set("targetWallet", target.walletId())
                            .set("targetId", target.id())
                            .set("targetAmount", target.amount());
                })
                .doIf(session -> session.contains("targetId")).then(
                        exec(session -> session.remove("processStatus"))
                                .exec(request
                                        .check(status().in(200, 409).saveAs("processStatus"))
                                        .checkIf((response, session) -> response.status().code() == 200).then(
                                                jmesPath("status").is(finalStatus),
                                                jmesPath("amount").ofLong().is(session -> session.getLong("targetAmount")),
                                                snapshotCheck(ledger, requestName, NESTED_WALLET_FIELDS, "targetWallet"))
                                        .checkIf((response, session) -> response.status().code() == 409).then(
                                                jmesPath("code").is("withdrawal-not-pending")))
                                .exec(session -> {
                                    if (session.contains("processStatus")) {
                                        int status = session.getInt("processStatus");
                                        String walletId = session.getString("targetWallet");
                                        long amount = session.getLong("targetAmount");
                                        if (status == 200 && approve) {
                                            ledger.approved(walletId, amount);
                                        } else if (status == 200) {
                                            ledger.rejected(walletId, amount);
                                        } else if (status == 409) {
                                            ledger.notPending.incrementAndGet();
                                        }
                                    }
                                    return session;
                                }));
    }

    /** Credits every wallet of the run once with {@code amount}, so that they all exist. */
    static ScenarioBuilder seed(Ledger ledger, long amount) {
        return scenario("Seed wallets")
                .foreach(ledger.walletIds, "walletId").on(
                        exec(session -> session.set("amount", amount).set("reference", reference("seed")))
                                .exec(credit(ledger, "Seed credit", false)));
    }

    /**
     * The final conservation check, run once all load has ended: for every wallet of the run, a
     * GET whose check fails (a failed request, so the run fails) when {@link Ledger#finalVerdict}
     * finds a violation, then its PENDING withdrawals listed page by page, which must add up to
     * {@code pending}.
     */
    static ScenarioBuilder conservationCheck(Ledger ledger) {
        return scenario("Conservation check").exec(conservationCheckChain(ledger));
    }

    /** The chain of {@link #conservationCheck}, for a scenario that must first wait for something. */
    static ChainBuilder conservationCheckChain(Ledger ledger) {
        return foreach(ledger.walletIds, "walletId").on(
                        exec(session -> session.remove("pending"))
                                .exec(http("Conservation check")
                                        .get(API + "/wallets/#{walletId}")
                                        .header("Authorization", TOKENS.operator())
                                        .check(
                                                status().is(200),
                                                jmesPath("userId").isEL("#{walletId}"),
                                                jmesPath("pending").ofLong().saveAs("pending"),
                                                jmesPath(WALLET_FIELDS).ofList()
                                                        .transformWithSession((fields, session) ->
                                                                ledger.finalVerdict(session.getString("walletId"), fields))
                                                        .is("ok")
                                                        .name("conservation")))
                                .exec(session -> session.set("listedPending", 0L).set("cursorParam", "")
                                        .set("morePages", session.contains("pending")))
                                .asLongAs(session -> session.getBoolean("morePages"), "page").on(
                                        exec(session -> session.remove("pendingPage"))
                                                .exec(http("Pending list check")
                                                        .get(API + "/wallets/#{walletId}/withdrawals?status=PENDING&limit=100#{cursorParam}")
                                                        .header("Authorization", TOKENS.operator())
                                                        .check(
                                                                status().is(200),
                                                                jmesPath(PAGE).ofMap().saveAs("pendingPage"),
                                                                jmesPath(PAGE).ofMap()
                                                                        .transformWithSession((page, session) ->
                                                                                ledger.pendingPageVerdict(
                                                                                        session.getString("walletId"),
                                                                                        session.getLong("pending"),
                                                                                        session.getLong("listedPending"),
                                                                                        page))
                                                                        .is("ok")
                                                                        .name("pending list")))
                                                .exec(WalletLoad::nextPendingPage)));
    }

    private static final String PAGE = "{amounts: items[].amount, statuses: items[].status, next: nextCursor}";
    private static final int MAX_PAGES = 10_000;

    private static io.gatling.javaapi.core.Session nextPendingPage(io.gatling.javaapi.core.Session session) {
        Map<String, Object> page = session.contains("pendingPage") ? session.getMap("pendingPage") : null;
        Object next = page == null ? null : page.get("next");
        boolean more = next != null && session.getInt("page") < MAX_PAGES;
        long listed = session.getLong("listedPending") + (page == null ? 0L : Ledger.sumOf(page.get("amounts")));
        return session.set("listedPending", listed)
                .set("morePages", more)
                .set("cursorParam", more ? "&cursor=" + URLEncoder.encode(next.toString(), StandardCharsets.UTF_8) : "");
    }

    static Duration seconds(long seconds) {
        return Duration.ofSeconds(seconds);
    }
}
