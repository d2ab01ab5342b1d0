package wallet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one simulation run did to its own wallets, as the service acknowledged it, and the verdict
 * of the final conservation check against it.
 *
 * <p>Only acknowledged outcomes are recorded: a credit answered 200, a withdrawal answered 201, an
 * approval or rejection answered 200. A request with no answer (timeout, connection lost) is a
 * failed request, so the run fails anyway; its money effect is unknown and the check below may
 * then report a mismatch too.
 *
 * <p>The wallets belong to this run alone (ids made from a fresh run id), so every total the
 * service reports must equal what is recorded here, to the cent:
 * <ul>
 *   <li>{@code balance >= 0}, {@code pending >= 0}, {@code totalWithdrawn >= 0};
 *   <li>{@code balance + pending + totalWithdrawn == totalEarnings};
 *   <li>{@code totalEarnings == sum of credits answered 200};
 *   <li>{@code pending + totalWithdrawn == sum of withdrawals answered 201 - sum of rejections
 *       answered 200} (which can never exceed what was credited);
 *   <li>{@code totalWithdrawn == sum of approvals answered 200}, and of withdrawals a wallet's policy
 *       approved at once (201 APPROVED);
 *   <li>{@code pending == sum of the amounts of the wallet's PENDING withdrawals} (listed page by
 *       page);
 *   <li>no balance stream snapshot of the wallet broke the invariant or went back in version.
 * </ul>
 */
final class Ledger {

    /** A withdrawal answered 201 whose id can later be approved or rejected. */
    record PendingWithdrawal(String walletId, String id, long amount) {}

    final String simulation;
    final List<String> walletIds;

    private final Map<String, AtomicLong> credited = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> requested = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> approved = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> rejected = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> streamViolations = new ConcurrentHashMap<>();

    final AtomicLong credits = new AtomicLong();
    final AtomicLong withdrawals = new AtomicLong();
    final AtomicLong insufficientBalance = new AtomicLong();
    /** Withdrawals refused by a wallet's 24-hour limit (422 withdrawal-limit-exceeded). */
    final AtomicLong overLimit = new AtomicLong();
    /** Withdrawals the wallet's policy approved at once (201 APPROVED). */
    final AtomicLong autoApproved = new AtomicLong();
    /** Balance alerts that streams told of ({@code event: alert}). */
    final AtomicLong streamAlerts = new AtomicLong();
    final AtomicLong approvals = new AtomicLong();
    final AtomicLong rejections = new AtomicLong();
    final AtomicLong notPending = new AtomicLong();
    final AtomicLong replays = new AtomicLong();
    final AtomicLong streamMessages = new AtomicLong();

    /** Withdrawals answered 201, for approvers and rejecters to take from. */
    final ConcurrentLinkedQueue<PendingWithdrawal> pendingPool = new ConcurrentLinkedQueue<>();

    private final AtomicInteger walletsChecked = new AtomicInteger();
    private final AtomicInteger pendingListsChecked = new AtomicInteger();
    /** Broken snapshots seen during the load (in responses and stream events). */
    private final AtomicInteger loadViolations = new AtomicInteger();
    /** Wallets the final check found wrong (pending-list mismatches included). */
    private final AtomicInteger finalViolations = new AtomicInteger();
    private final List<String> loadViolationMessages = Collections.synchronizedList(new ArrayList<>());
    private final List<String> finalViolationMessages = Collections.synchronizedList(new ArrayList<>());

    private static final int MESSAGES_KEPT = 10;

    Ledger(String simulation, String runId, String tag, int wallets) {
        if (wallets < 1) {
            throw new IllegalArgumentException("wallets must be at least 1, got " + wallets);
        }
        this.simulation = simulation;
        List<String> ids = new ArrayList<>(wallets);
        for (int i = 0; i < wallets; i++) {
            ids.add(WalletLoad.userId(runId + "-" + tag + "-" + i));
        }
        this.walletIds = List.copyOf(ids);
        WalletLoad.TOKENS.fetchOwners(walletIds);
    }

    String randomWallet() {
        return walletIds.get(ThreadLocalRandom.current().nextInt(walletIds.size()));
    }

    private static AtomicLong of(Map<String, AtomicLong> map, String walletId) {
        return map.computeIfAbsent(walletId, k -> new AtomicLong());
    }

    private static long get(Map<String, AtomicLong> map, String walletId) {
        AtomicLong value = map.get(walletId);
        return value == null ? 0L : value.get();
    }

    void credited(String walletId, long amount) {
        of(credited, walletId).addAndGet(amount);
        credits.incrementAndGet();
    }

    void withdrawalRequested(String walletId, String withdrawalId, long amount, boolean offerForProcessing) {
        of(requested, walletId).addAndGet(amount);
        withdrawals.incrementAndGet();
        if (offerForProcessing && withdrawalId != null) {
            pendingPool.offer(new PendingWithdrawal(walletId, withdrawalId, amount));
        }
    }

    void approved(String walletId, long amount) {
        of(approved, walletId).addAndGet(amount);
        approvals.incrementAndGet();
    }

    void rejected(String walletId, long amount) {
        of(rejected, walletId).addAndGet(amount);
        rejections.incrementAndGet();
    }

    void streamViolation(String walletId, String message) {
        of(streamViolations, walletId).incrementAndGet();
        loadViolation("stream of " + walletId + ": " + message);
    }

    private void loadViolation(String message) {
        int n = loadViolations.incrementAndGet();
        if (n <= MESSAGES_KEPT) {
            loadViolationMessages.add(message);
            System.err.println("[" + simulation + "] VIOLATION during load: " + message);
        } else if (n == MESSAGES_KEPT + 1) {
            System.err.println("[" + simulation + "] more violations during load: counted, not printed");
        }
    }

    private String finalViolation(String message) {
        finalViolations.incrementAndGet();
        finalViolationMessages.add(message);
        System.err.println("[" + simulation + "] VIOLATION in final check: " + message);
        return message;
    }

    /** Violations of every kind: the run has failed when this is not 0. */
    int violations() {
        return loadViolations.get() + finalViolations.get();
    }

    /**
     * Invariants that every wallet snapshot must satisfy at every instant, whoever made it.
     *
     * @param fields {@code [balance, pending, totalEarnings, totalWithdrawn]} as extracted from JSON
     * @return "ok" or what is wrong
     */
    static String snapshotProblem(List<Object> fields) {
        if (fields == null || fields.size() != 4) {
            return "wallet fields missing: " + fields;
        }
        long[] v = new long[4];
        for (int i = 0; i < 4; i++) {
            Object f = fields.get(i);
            if (!(f instanceof Integer || f instanceof Long || f instanceof Short || f instanceof java.math.BigInteger)) {
                return "wallet field " + WalletLoad.WALLET_FIELD_NAMES.get(i) + " is not an integer: " + f;
            }
            v[i] = ((Number) f).longValue();
        }
        long balance = v[0], pending = v[1], totalEarnings = v[2], totalWithdrawn = v[3];
        List<String> problems = new ArrayList<>();
        if (balance < 0) problems.add("balance " + balance + " < 0");
        if (pending < 0) problems.add("pending " + pending + " < 0");
        if (totalWithdrawn < 0) problems.add("totalWithdrawn " + totalWithdrawn + " < 0");
        if (balance + pending + totalWithdrawn != totalEarnings) {
            problems.add("balance " + balance + " + pending " + pending + " + totalWithdrawn " + totalWithdrawn
                    + " = " + (balance + pending + totalWithdrawn) + " != totalEarnings " + totalEarnings);
        }
        return problems.isEmpty() ? "ok" : String.join("; ", problems);
    }

    /**
     * A snapshot seen in a response or stream event during the load. A broken one is counted and
     * printed with its numbers; the check fails with the same text, numbers left out, so that the
     * report's error table groups them.
     */
    String snapshotVerdict(String where, String walletId, List<Object> fields) {
        String problem = snapshotProblem(fields);
        if ("ok".equals(problem)) {
            return problem;
        }
        loadViolation(where + " " + walletId + ": " + problem);
        return "broken wallet " + walletId + " in " + where + ": " + problem.replaceAll("-?\\d+", "N");
    }

    /**
     * The final verdict for one wallet, from its GET after all load has ended.
     *
     * @return "ok" or the violations found (each also counted and printed)
     */
    String finalVerdict(String walletId, List<Object> fields) {
        walletsChecked.incrementAndGet();
        String problem = snapshotProblem(fields);
        List<String> problems = new ArrayList<>();
        if (!"ok".equals(problem)) {
            problems.add(problem);
        } else {
            long pending = ((Number) fields.get(1)).longValue();
            long totalEarnings = ((Number) fields.get(2)).longValue();
            long totalWithdrawn = ((Number) fields.get(3)).longValue();
            long creditedSum = get(credited, walletId);
            long outstanding = get(requested, walletId) - get(rejected, walletId);
            long approvedSum = get(approved, walletId);
            if (totalEarnings != creditedSum) {
                problems.add("totalEarnings " + totalEarnings + " != " + creditedSum + " credited with 200");
            }
            if (pending + totalWithdrawn != outstanding) {
                problems.add("pending " + pending + " + totalWithdrawn " + totalWithdrawn + " != " + outstanding
                        + " (withdrawals answered 201 - rejections answered 200)");
            }
            if (outstanding > creditedSum) {
                problems.add("withdrawals accepted " + outstanding + " exceed credits " + creditedSum);
            }
            if (totalWithdrawn != approvedSum) {
                problems.add("totalWithdrawn " + totalWithdrawn + " != " + approvedSum + " approved with 200");
            }
        }
        long streamProblems = get(streamViolations, walletId);
        if (streamProblems > 0) {
            problems.add(streamProblems + " bad balance stream event(s)");
        }
        if (problems.isEmpty()) {
            return "ok";
        }
        return finalViolation(walletId + ": " + String.join("; ", problems));
    }

    /**
     * One page of the wallet's PENDING withdrawals; on the last page the amounts listed must add up
     * to the wallet's {@code pending}.
     *
     * @param page {@code {amounts: [...], statuses: [...], next: cursor or null}}
     */
    String pendingPageVerdict(String walletId, Long pending, Long listedBefore, Map<String, Object> page) {
        if (pending == null || listedBefore == null || page == null) {
            return finalViolation(walletId + ": pending list check without a wallet read before it");
        }
        long listed = listedBefore + sumOf(page.get("amounts"));
        Object statuses = page.get("statuses");
        if (statuses instanceof List<?> list) {
            for (Object s : list) {
                if (!"PENDING".equals(s)) {
                    return finalViolation(walletId + ": a withdrawal listed with status=PENDING is " + s);
                }
            }
        }
        if (page.get("next") != null) {
            return "ok";
        }
        pendingListsChecked.incrementAndGet();
        return listed == pending ? "ok"
                : finalViolation(walletId + ": PENDING withdrawals add up to " + listed + " but pending is " + pending);
    }

    static long sumOf(Object amounts) {
        long sum = 0;
        if (amounts instanceof List<?> list) {
            for (Object a : list) {
                if (a instanceof Number n) {
                    sum += n.longValue();
                }
            }
        }
        return sum;
    }

    String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append("[").append(simulation).append("] conservation check: ")
                .append(walletsChecked.get()).append("/").append(walletIds.size()).append(" wallets checked, ")
                .append(pendingListsChecked.get()).append(" pending lists checked, violations = ").append(violations())
                .append(" (final check: ").append(finalViolations.get())
                .append(", during load: ").append(loadViolations.get()).append(")");
        if (walletsChecked.get() < walletIds.size()) {
            sb.append("  NOT ALL WALLETS CHECKED: see the failed requests");
        }
        sb.append("\n  acknowledged: ").append(credits.get()).append(" credits, ")
                .append(withdrawals.get()).append(" withdrawals (201), ")
                .append(insufficientBalance.get()).append(" insufficient-balance (422), ")
                .append(overLimit.get()).append(" withdrawal-limit-exceeded (422), ")
                .append(autoApproved.get()).append(" approved by the policy, ")
                .append(approvals.get()).append(" approvals, ")
                .append(rejections.get()).append(" rejections, ")
                .append(notPending.get()).append(" withdrawal-not-pending (409), ")
                .append(replays.get()).append(" idempotent replays, ")
                .append(streamMessages.get()).append(" stream events checked (")
                .append(streamAlerts.get()).append(" alerts)");
        for (String walletId : walletIds) {
            sb.append("\n  ").append(walletId)
                    .append(": credited ").append(get(credited, walletId))
                    .append(", withdrawals 201 ").append(get(requested, walletId))
                    .append(", approved ").append(get(approved, walletId))
                    .append(", rejected ").append(get(rejected, walletId));
        }
        synchronized (finalViolationMessages) {
            for (String message : finalViolationMessages) {
                sb.append("\n  VIOLATION in final check: ").append(message);
            }
        }
        synchronized (loadViolationMessages) {
            for (String message : loadViolationMessages) {
                sb.append("\n  VIOLATION during load: ").append(message);
            }
        }
        if (loadViolations.get() > loadViolationMessages.size()) {
            sb.append("\n  ... and ").append(loadViolations.get() - loadViolationMessages.size())
                    .append(" more during load");
        }
        return sb.toString();
    }
}
