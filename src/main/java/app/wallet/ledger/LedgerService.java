package app.wallet.ledger;

import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import app.wallet.store.Page;
import app.wallet.store.StoreException;
import app.wallet.store.WalletKeys;

/** Reads a wallet's ledger, newest first, or whole from the first entry. */
@Service
public class LedgerService {

    private final ReactiveStringRedisTemplate redis;
    private final WalletKeys keys;

    LedgerService(ReactiveStringRedisTemplate redis, WalletKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /** The cursor is the stream id of the last entry of the previous page. */
    public Mono<Page<LedgerEntry>> page(String userId, int limit, @Nullable String cursor) {
        Range<String> range = cursor == null ? Range.unbounded() : Range.leftUnbounded(Range.Bound.exclusive(cursor));
        return redis.hasKey(keys.wallet(userId)).flatMap(exists -> {
            if (!exists) {
                return Mono.error(StoreException.Refused.noWallet(userId));
            }
            return redis.opsForStream().reverseRange(keys.ledger(userId), range, Limit.limit().count(limit + 1))
                    .collectList()
                    .map(records -> {
                        boolean more = records.size() > limit;
                        var shown = more ? records.subList(0, limit) : records;
                        return new Page<>(shown.stream().map(r -> LedgerEntry.of(r.getValue())).toList(),
                                more ? shown.get(shown.size() - 1).getId().getValue() : null);
                    });
        });
    }

    /** Entries are read this many at a time when walking back from the newest. */
    private static final int BACKWARD_PAGE = 100;

    /**
     * Every entry, newest first, read a page at a time as far as the subscriber takes them: walking back to
     * a recent instant reads one or two pages.
     */
    public Flux<LedgerEntry> newestFirst(String userId) {
        String ledger = keys.ledger(userId);
        return backwardPage(ledger, Range.unbounded())
                .expand(page -> page.size() < BACKWARD_PAGE ? Mono.empty()
                        : backwardPage(ledger, Range.leftUnbounded(Range.Bound.exclusive(page.get(page.size() - 1).getId().getValue()))))
                .concatMapIterable(page -> page)
                .map(record -> LedgerEntry.of(record.getValue()));
    }

    private Mono<List<MapRecord<String, Object, Object>>> backwardPage(String ledger, Range<String> range) {
        return redis.opsForStream().reverseRange(ledger, range, Limit.limit().count(BACKWARD_PAGE)).collectList();
    }

    /** Every entry, oldest first: what replaying the wallet needs. */
    public Flux<LedgerEntry> all(String userId) {
        return redis.opsForStream().range(keys.ledger(userId), Range.unbounded())
                .map(r -> LedgerEntry.of(r.getValue()));
    }

    /** Entries are read this many at a time when the chain is verified. */
    private static final int VERIFY_PAGE = 1000;

    public record ChainReport(String userId, long entries, boolean valid, @Nullable Long brokenAt, @Nullable String head,
            @Nullable Long chainedFrom) {
    }

    /**
     * Recomputes the wallet's ledger chain from its first entry, a page at a time, and holds it to the
     * wallet: every version present once and in order, every hash what its entry and the one before give,
     * the last entry where the wallet stands, the chain's end the wallet's head. Entries newer than the
     * wallet read are left out, so a change made meanwhile is no break.
     */
    public Mono<ChainReport> verify(String userId) {
        return redis.<String, String>opsForHash().multiGet(keys.wallet(userId), List.of("version", "balance", "pending", "ledgerHead"))
                .flatMap(fields -> {
                    if (fields.get(0) == null) {
                        return Mono.error(StoreException.Refused.noWallet(userId));
                    }
                    LedgerChain.WalletState wallet = new LedgerChain.WalletState(Long.parseLong(fields.get(0)),
                            number(fields.get(1)), number(fields.get(2)), fields.get(3));
                    LedgerChain.Walk walk = new LedgerChain.Walk(wallet);
                    String ledger = keys.ledger(userId);
                    return forwardPage(ledger, Range.unbounded())
                            .expand(page -> page.size() < VERIFY_PAGE || !walk.wants(LedgerEntry.of(page.get(page.size() - 1).getValue()))
                                    ? Mono.empty()
                                    : forwardPage(ledger, Range.rightUnbounded(Range.Bound.exclusive(page.get(page.size() - 1).getId().getValue()))))
                            .concatMapIterable(page -> page)
                            .map(record -> LedgerEntry.of(record.getValue()))
                            .takeWhile(walk::wants)
                            .doOnNext(walk::accept)
                            .then(Mono.fromSupplier(() -> {
                                Long brokenAt = walk.brokenAt();
                                return new ChainReport(userId, walk.entries(), brokenAt == null, brokenAt, wallet.head(),
                                        walk.chainedFrom());
                            }));
                });
    }

    private Mono<List<MapRecord<String, Object, Object>>> forwardPage(String ledger, Range<String> range) {
        return redis.opsForStream().range(ledger, range, Limit.limit().count(VERIFY_PAGE)).collectList();
    }

    private static long number(@Nullable String value) {
        return value == null ? 0 : Long.parseLong(value);
    }
}
