package app.wallet.store;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TimeOrderedIdsTest {

    @Test
    void idsFromOneMillisecondStillRiseInLexicalOrder() {
        TimeOrderedIds ids = new TimeOrderedIds(Clock.fixed(Instant.parse("2026-11-25T06:00:00Z"), ZoneOffset.UTC));
        List<String> issued = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            issued.add(ids.next());
        }
        assertThat(issued).isSorted().doesNotHaveDuplicates().allSatisfy(id -> {
            assertThat(TimeOrderedIds.isValid(id)).isTrue();
            assertThat(UUID.fromString(id).version()).isEqualTo(7);
        });
    }

    @Test
    void theTimestampIsTheClock() {
        Instant now = Instant.parse("2026-11-25T06:00:00.123Z");
        String id = new TimeOrderedIds(Clock.fixed(now, ZoneOffset.UTC)).next();
        assertThat(UUID.fromString(id).getMostSignificantBits() >>> 16).isEqualTo(now.toEpochMilli());
    }

    @Test
    void onlyCanonicalVersionSevenIdsAreValid() {
        assertThat(TimeOrderedIds.isValid(UUID.randomUUID().toString())).isFalse();
        assertThat(TimeOrderedIds.isValid("0193A4B2-0000-7000-8000-000000000000")).isFalse();
        assertThat(TimeOrderedIds.isValid("{p1}")).isFalse();
    }
}
