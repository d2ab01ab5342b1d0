package app.wallet.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/** A token checked once is not checked again until it expires; a refused one is never remembered. */
class RecentTokensTest {

    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final AtomicInteger checks = new AtomicInteger();
    /** Accepts tokens named "good-*", valid for a minute from NOW; refuses any other. */
    private final ReactiveJwtDecoder decoder = token -> {
        checks.incrementAndGet();
        if (!token.startsWith("good-")) {
            return Mono.error(new BadJwtException("bad signature"));
        }
        return Mono.just(Jwt.withTokenValue(token).header("alg", "RS256").subject(token)
                .issuedAt(NOW).expiresAt(NOW.plusSeconds(60)).build());
    };

    @Test
    void aTokenIsCheckedOnceWhileItIsValid() {
        RecentTokens tokens = new RecentTokens(decoder, Clock.fixed(NOW.plusSeconds(10), ZoneOffset.UTC));
        for (int i = 0; i < 3; i++) {
            StepVerifier.create(tokens.decode("good-a")).assertNext(jwt -> assertThat(jwt.getSubject()).isEqualTo("good-a"))
                    .expectComplete().verify(TIMEOUT);
        }
        StepVerifier.create(tokens.decode("good-b")).expectNextCount(1).expectComplete().verify(TIMEOUT);
        assertThat(checks).hasValue(2);
    }

    @Test
    void anExpiredTokenIsCheckedAgain() {
        MutableClock clock = new MutableClock(NOW.plusSeconds(10));
        RecentTokens tokens = new RecentTokens(decoder, clock);
        tokens.decode("good-a").block(TIMEOUT);
        clock.now = NOW.plusSeconds(61);
        tokens.decode("good-a").block(TIMEOUT);
        assertThat(checks).hasValue(2);
    }

    @Test
    void aRefusedTokenIsRefusedEveryTime() {
        RecentTokens tokens = new RecentTokens(decoder, Clock.fixed(NOW, ZoneOffset.UTC));
        for (int i = 0; i < 2; i++) {
            StepVerifier.create(tokens.decode("forged")).expectError(BadJwtException.class).verify(TIMEOUT);
        }
        assertThat(checks).hasValue(2);
    }

    @Test
    void itHoldsAtMostItsCapacity() {
        RecentTokens tokens = new RecentTokens(decoder, Clock.fixed(NOW, ZoneOffset.UTC));
        for (int i = 0; i <= RecentTokens.CAPACITY; i++) {
            tokens.decode("good-" + i).block(TIMEOUT);
        }
        tokens.decode("good-0").block(TIMEOUT);
        assertThat(checks).as("the first token was forgotten when the cache started over").hasValue(RecentTokens.CAPACITY + 2);
    }

    private static final class MutableClock extends Clock {

        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
