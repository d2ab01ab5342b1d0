package app.wallet.store;

import java.time.Duration;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import reactor.test.StepVerifier;

import app.wallet.support.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/** The script runner hands a script the caller after its own arguments, decodes its reply and counts its outcome. */
class ScriptsTest extends IntegrationTest {

    @Autowired
    private Scripts scripts;

    @Autowired
    private MeterRegistry registry;

    @Test
    void aScriptGetsTheActorLastAndItsOutcomeIsCounted() {
        // Answers "not pending" with its last argument as the status, so the test can read what it was sent.
        LuaScript echoes = LuaScript.of("echo", "return {-5, 0, ARGV[#ARGV] .. ' after ' .. ARGV[1]}");
        double before = refusals();

        StepVerifier.create(scripts.run("echo-test", echoes, List.of("wallet:{p0}:echo"), List.of("first"), "tester"))
                .assertNext(outcome -> assertThat(outcome)
                        .isEqualTo(new ScriptOutcome.Refused(Refusal.WITHDRAWAL_NOT_PENDING, null, "tester after first", false)))
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        assertThat(refusals()).isEqualTo(before + 1);
    }

    private double refusals() {
        var counter = registry.find("wallet.operations").tags("operation", "echo-test", "outcome", "withdrawal-not-pending").counter();
        return counter == null ? 0 : counter.count();
    }
}
