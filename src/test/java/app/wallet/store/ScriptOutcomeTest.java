package app.wallet.store;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import app.wallet.store.ScriptOutcome.Changed;
import app.wallet.store.ScriptOutcome.Refused;
import app.wallet.store.ScriptOutcome.WalletFields;
import app.wallet.store.ScriptOutcome.WithdrawalFields;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A script reply is decoded once into what the change did; anything else is no script's reply.
 */
class ScriptOutcomeTest {

    private static final WalletFields WALLET = new WalletFields(2000, 8000, 10000, 0, 3, 1_000, 2_000);

    @Test
    void aCreditIsTheWalletAfterIt() {
        assertThat(ScriptOutcome.decode(List.of(0L, 0L, 2000L, 8000L, 10000L, 0L, 3L, 1_000L, 2_000L)))
                .isEqualTo(new Changed(WALLET, null, false));
    }

    @Test
    void aWithdrawalChangeCarriesTheWithdrawalAndTheWallet() {
        Object requested = List.of(0L, 1L, 2000L, 8000L, 10000L, 0L, 3L, 1_000L, 2_000L,
                "w-1", 8000L, "PENDING", 2_000L, "", "");
        Object rejected = List.of(0L, 0L, 2000L, 8000L, 10000L, 0L, 3L, 1_000L, 2_000L,
                "w-1", 8000L, "REJECTED", 2_000L, 3_000L, "fraud");

        assertThat(ScriptOutcome.decode(requested))
                .isEqualTo(new Changed(WALLET, new WithdrawalFields("w-1", 8000, "PENDING", 2_000, null, null), true));
        assertThat(ScriptOutcome.decode(rejected))
                .isEqualTo(new Changed(WALLET, new WithdrawalFields("w-1", 8000, "REJECTED", 2_000, 3_000L, "fraud"), false));
    }

    @Test
    void refusalsCarryWhatTheScriptSaw() {
        assertThat(ScriptOutcome.decode(List.of(-2L, 0L, 2000L, 8000L, 10000L, 0L, 3L, 1_000L, 2_000L)))
                .isEqualTo(new Refused(Refusal.INSUFFICIENT_BALANCE, WALLET, null, false));
        assertThat(ScriptOutcome.decode(List.of(-5L, 1L, "APPROVED")))
                .isEqualTo(new Refused(Refusal.WITHDRAWAL_NOT_PENDING, null, "APPROVED", true));
        assertThat(ScriptOutcome.decode(List.of(-6L, 0L)))
                .isEqualTo(new Refused(Refusal.IDEMPOTENCY_KEY_REUSED, null, null, false));
    }

    @Test
    void aRefusalOfADamagedWalletIsStillARefusal() {
        List<Object> wire = new ArrayList<>(List.of(-2L, 0L, 2000L, 8000L, 10000L, 0L, 3L, 1_000L, 2_000L));
        wire.set(7, null);   // createdAt missing from the hash: the script sends a nil in its place

        assertThat(ScriptOutcome.decode(wire)).isEqualTo(new Refused(Refusal.INSUFFICIENT_BALANCE,
                new WalletFields(2000, 8000, 10000, 0, 3, 0, 2_000), null, false));
    }

    @Test
    void whatIsNoScriptsReplyIsRefused() {
        // A stream range, a counter, or a reply cut short.
        for (Object wire : List.of(List.of(List.of("1-0", List.of("type", "CREDIT"))), 42L, List.of(-4L))) {
            assertThatThrownBy(() -> ScriptOutcome.decode(wire)).isInstanceOf(RuntimeException.class);
        }
    }
}
