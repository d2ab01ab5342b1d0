package app.wallet.store;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class IdsTest {

    @Test
    void idsFromOneMillisecondStillRiseInLexicalOrder() {
        WalletKeys ids = new WalletKeys(1, Clock.fixed(Instant.parse("2026-11-25T06:00:00Z"), ZoneOffset.UTC));
        List<String> issued = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            issued.add(ids.newId());
        }
        assertThat(issued).isSorted().doesNotHaveDuplicates().allSatisfy(id -> {
            assertThat(WalletKeys.isId(id)).isTrue();
            assertThat(UUID.fromString(id).version()).isEqualTo(7);
        });
    }

    @Test
    void theTimestampIsTheClock() {
        Instant now = Instant.parse("2026-11-25T06:00:00.123Z");
        String id = new WalletKeys(1, Clock.fixed(now, ZoneOffset.UTC)).newId();
        assertThat(UUID.fromString(id).getMostSignificantBits() >>> 16).isEqualTo(now.toEpochMilli());
    }

    @Test
    void onlyCanonicalVersionSevenIdsAreValid() {
        assertThat(WalletKeys.isId(UUID.randomUUID().toString())).isFalse();
        assertThat(WalletKeys.isId("0193A4B2-0000-7000-8000-000000000000")).isFalse();
        assertThat(WalletKeys.isId("{p1}")).isFalse();
    }
}
