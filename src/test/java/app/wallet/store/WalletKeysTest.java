package app.wallet.store;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;

import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Partition tags: spread evenly over a cluster's masters, and channels traced back to their partition. */
class WalletKeysTest {

    @Test
    void partitionsSpreadEvenlyOverMastersHoldingEqualSlotRanges() {
        WalletKeys keys = new WalletKeys(1024);
        for (int masters : new int[] {3, 5, 16}) {
            int[] held = new int[masters];
            for (int partition = 0; partition < 1024; partition++) {
                int slot = SlotHash.getSlot(keys.outbox(partition));
                // redis-cli --cluster create gives master i the slots from i * 16384 / n on.
                held[(int) ((long) slot * masters / 16384)]++;
            }
            int least = Arrays.stream(held).min().orElseThrow();
            int most = Arrays.stream(held).max().orElseThrow();
            // A partition's range may straddle two masters' ranges; its tag lies in one or the other.
            assertThat(most - least).as("partitions per master of %d: %s", masters, Arrays.toString(held)).isLessThanOrEqualTo(2);
        }
    }

    @Test
    void everyPartitionHasItsOwnSlotRangeAndTag() {
        WalletKeys keys = new WalletKeys(4096);
        Set<Integer> slots = new HashSet<>();
        IntStream.range(0, 4096).forEach(partition -> slots.add(SlotHash.getSlot(keys.outbox(partition))));
        assertThat(slots).hasSize(4096);
    }

    @Test
    void aChangeChannelNamesItsPartition() {
        WalletKeys keys = new WalletKeys(64);
        for (int partition = 0; partition < 64; partition++) {
            assertThat(keys.partitionOfChannel(keys.changes(partition))).isEqualTo(partition);
        }
        assertThat(keys.partitionOfChannel(keys.changes(keys.partition("alice")))).isEqualTo(keys.partition("alice"));
        for (String other : new String[] {"wallet-changes:{p3}", "wallet-changes:{p64.0}", "wallet-changes:{px.1}", "other:{p1.0}", ""}) {
            assertThat(keys.partitionOfChannel(other)).as(other).isEqualTo(-1);
        }
    }
}
