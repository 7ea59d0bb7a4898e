package io.pocketsync.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    private final ServerHarness.MutableClock clock = new ServerHarness.MutableClock(Instant.ofEpochSecond(1_700_000_000));
    private final LoginThrottle throttle = new LoginThrottle(LoginLimits.builder().failureWindow(Duration.ofMinutes(1))
            .initialDelay(Duration.ofSeconds(1)).maxDelay(Duration.ofSeconds(8)).build(), clock);

    @Test
    void aKeyIsBlockedAtItsLimitThenForTwiceAsLongAfterEachFurtherFailureUpToTheCap() {
        for (int i = 1; i < 3; i++) {
            assertThat(throttle.failed("k", 3)).as("failure %d", i).isZero();
            assertThat(throttle.blocked("k")).isZero();
        }
        assertThat(throttle.failed("k", 3)).isEqualTo(Duration.ofSeconds(1));
        assertThat(throttle.blocked("k")).isEqualTo(Duration.ofSeconds(1));
        assertThat(throttle.blocked("other")).isZero();

        long[] expected = {2, 4, 8, 8, 8};
        for (long seconds : expected) {
            clock.advance(throttle.blocked("k"));
            assertThat(throttle.blocked("k")).isZero();
            assertThat(throttle.failed("k", 3)).isEqualTo(Duration.ofSeconds(seconds));
        }
    }

    @Test
    void failuresSpreadOverTimeNeverAddUpToABlock() {
        // a device retrying a stale token every 30 s: about two failures in any minute
        for (int i = 0; i < 100; i++) {
            assertThat(throttle.failed("k", 5)).as("failure %d", i).isZero();
            clock.advance(Duration.ofSeconds(30));
        }
    }

    @Test
    void aQuietWindowAfterTheLastBlockForgivesTheKey() {
        for (int i = 0; i < 3; i++) {
            throttle.failed("k", 3);
        }
        clock.advance(Duration.ofSeconds(1));
        assertThat(throttle.failed("k", 3)).isEqualTo(Duration.ofSeconds(2));
        clock.advance(Duration.ofSeconds(2).plus(Duration.ofMinutes(2)));
        assertThat(throttle.failed("k", 3)).isZero();
        assertThat(throttle.failed("k", 3)).isZero();
        assertThat(throttle.failed("k", 3)).as("the backoff starts again").isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aSuccessForgivesTheKey() {
        for (int i = 0; i < 3; i++) {
            throttle.failed("k", 3);
        }
        throttle.succeeded("k");
        assertThat(throttle.blocked("k")).isZero();
        assertThat(throttle.failed("k", 3)).isZero();
    }

    @Test
    void memoryIsBoundedHoweverManyKeysFail() {
        for (int i = 0; i < LoginThrottle.MAX_KEYS + 1000; i++) {
            throttle.failed("device:" + i, 5);
        }
        assertThat(throttle.size()).isEqualTo(LoginThrottle.MAX_KEYS);
        // and keys that are forgiven anyway go as soon as anything fails again
        clock.advance(Duration.ofMinutes(3));
        throttle.failed("late", 5);
        assertThat(throttle.size()).isEqualTo(1);
    }
}
