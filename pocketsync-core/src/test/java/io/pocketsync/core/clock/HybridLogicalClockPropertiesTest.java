package io.pocketsync.core.clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.model.Hlc;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/** Properties of {@link HybridLogicalClock} under arbitrary wall-clock behaviour. */
class HybridLogicalClockPropertiesTest {
    private static final long START = 1_700_000_000_000L;
    private static final Duration DRIFT = Duration.ofMinutes(5);

    @Property(tries = 300)
    void nowIsStrictlyMonotonicHoweverTheWallClockJumps(
            @ForAll @Size(min = 1, max = 200) List<@LongRange(min = -3_600_000, max = 3_600_000) Long> jumps) {
        MutableClock wall = new MutableClock(START);
        HybridLogicalClock clock = new HybridLogicalClock(wall, DRIFT);
        Hlc previous = clock.now();
        for (long jump : jumps) {
            wall.set(Math.max(0, wall.millis() + jump));
            Hlc next = clock.now();
            assertThat(next).isGreaterThan(previous);
            // It never lags the wall clock either.
            assertThat(next.physicalMillis()).isGreaterThanOrEqualTo(wall.millis());
            previous = next;
        }
    }

    @Property(tries = 300)
    void receiveReturnsATimestampAfterTheRemoteOneAndAfterEverythingBefore(
            @ForAll @LongRange(min = -60_000, max = 60_000) long wallOffset,
            @ForAll @LongRange(min = -60_000, max = 60_000) long remoteOffset,
            @ForAll @IntRange(min = 0, max = 0xFFFF) int remoteLogical) {
        MutableClock wall = new MutableClock(START + wallOffset);
        HybridLogicalClock clock = new HybridLogicalClock(wall, DRIFT);
        Hlc before = clock.now();
        Hlc remote = Hlc.of(START + remoteOffset, remoteLogical);

        Hlc merged = clock.receive(remote);

        assertThat(merged).isGreaterThan(remote).isGreaterThan(before);
        assertThat(clock.now()).isGreaterThan(merged);
    }

    @Property(tries = 200)
    void aSeededRestartStaysMonotonicEvenIfTheWallClockWentBack(
            @ForAll @IntRange(min = 1, max = 50) int eventsBefore,
            @ForAll @LongRange(min = 0, max = 86_400_000) long wallGoesBackBy) {
        MutableClock wall = new MutableClock(START);
        HybridLogicalClock first = new HybridLogicalClock(wall, DRIFT);
        Hlc last = Hlc.ZERO;
        for (int i = 0; i < eventsBefore; i++) {
            last = first.now();
        }
        Hlc persisted = first.current();

        wall.set(START - wallGoesBackBy);
        HybridLogicalClock restarted = new HybridLogicalClock(wall, DRIFT, persisted);

        assertThat(restarted.current()).isEqualTo(last);
        assertThat(restarted.now()).isGreaterThan(last);
    }

    @Property(tries = 200)
    void aRemoteTooFarAheadIsRejectedAndLeavesTheClockUnchanged(
            @ForAll @LongRange(min = 1, max = 365L * 86_400_000) long beyondDrift,
            @ForAll @IntRange(min = 0, max = 20) int eventsBefore) {
        MutableClock wall = new MutableClock(START);
        HybridLogicalClock clock = new HybridLogicalClock(wall, DRIFT);
        for (int i = 0; i < eventsBefore; i++) {
            clock.now();
        }
        Hlc before = clock.current();
        Hlc remote = Hlc.of(START + DRIFT.toMillis() + beyondDrift, 0);

        assertThatThrownBy(() -> clock.receive(remote))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CLOCK_SKEW));
        assertThat(clock.current()).isEqualTo(before);
    }

    @Property(tries = 100)
    void aRemoteWithinTheDriftIsAccepted(@ForAll @LongRange(min = 0, max = 300_000) long ahead) {
        HybridLogicalClock clock = new HybridLogicalClock(new MutableClock(START), DRIFT);

        assertThat(clock.receive(Hlc.of(START + ahead, 5)).physicalMillis()).isEqualTo(START + ahead);
    }
}
