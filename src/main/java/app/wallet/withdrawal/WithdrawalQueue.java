package app.wallet.withdrawal;

import java.util.List;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import app.wallet.store.Page;
import app.wallet.store.WalletKeys;

/**
 * The withdrawals of one status across all wallets, oldest first: what an operator works through. The
 * scripts that change a withdrawal keep one queue per partition and status ({@link WalletKeys#queue}); a
 * page reads every partition's next entries (one pipelined burst, so it works on a cluster, where the
 * partitions live on different masters) and merges them.
 */
@Service
public class WithdrawalQueue {

    /** Partitions read at once: one burst of commands, not one round trip after another. */
    private static final int CONCURRENT_READS = 256;

    private final ReactiveStringRedisTemplate redis;
    private final WalletKeys keys;
    private final WithdrawalService withdrawals;

    WithdrawalQueue(ReactiveStringRedisTemplate redis, WalletKeys keys, WithdrawalService withdrawals) {
        this.redis = redis;
        this.keys = keys;
        this.withdrawals = withdrawals;
    }

    /**
     * One page; {@code after} is the last entry of the previous page ({@code <withdrawalId>:<userId>}) and
     * so is the page's next cursor. Entries are ordered by withdrawal id, which is time-ordered: approvals
     * and new requests meanwhile neither repeat nor skip an entry of a later page.
     *
     * @param status PENDING, APPROVED, REJECTED (expired ones included) or EXPIRED
     */
    public Mono<Page<Withdrawal>> page(String status, int limit, @Nullable String after) {
        Range<String> range = after == null ? Range.unbounded() : Range.rightUnbounded(Range.Bound.exclusive(after));
        return Flux.range(0, keys.partitions())
                .flatMap(partition -> redis.opsForZSet().rangeByLex(keys.queue(partition, status), range,
                        Limit.limit().count(limit + 1)).collectList(), CONCURRENT_READS)
                .collect(TreeSet<String>::new, (oldest, partitionPage) -> {
                    oldest.addAll(partitionPage);
                    while (oldest.size() > limit + 1) {
                        oldest.pollLast();
                    }
                })
                .flatMap(oldest -> {
                    boolean more = oldest.size() > limit;
                    List<String> shown = oldest.stream().limit(limit).toList();
                    return Flux.fromIterable(shown)
                            .flatMapSequential(entry -> withdrawals.read(WalletKeys.userIdOfQueueEntry(entry),
                                    WalletKeys.withdrawalIdOfQueueEntry(entry)))
                            .collectList()
                            .map(items -> new Page<>(items, more ? shown.get(shown.size() - 1) : null));
                });
    }
}
