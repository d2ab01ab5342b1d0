package app.wallet.store;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A script reply is taken only with its request's token at the end; anything else answers another request. */
class ScriptReplyTest {

    @Test
    void theTokenIsCheckedAndLeftOff() {
        ScriptReply reply = ScriptReply.of(List.of(-5L, 1L, "APPROVED", "t-1"), "t-1");

        assertThat(reply.code()).isEqualTo(ScriptReply.WITHDRAWAL_NOT_PENDING);
        assertThat(reply.replayed()).isTrue();
        assertThat(reply.raw()).isEqualTo(List.of(-5L, 1L, "APPROVED"));
    }

    @Test
    void anotherRequestsReplyIsRefused() {
        // Another script run's reply, a stream range, a counter, or a reply cut short.
        for (Object wire : List.of(List.of(0L, 0L, "t-2"), List.of(List.of("1-0", List.of("type", "CREDIT"))), 42L,
                List.of(-4L, 0L))) {
            assertThatThrownBy(() -> ScriptReply.of(wire, "t-1")).isInstanceOf(RepliesOutOfStepException.class);
        }
    }
}
