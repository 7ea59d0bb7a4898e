package io.pocketsync.core.clock;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.model.Hlc;
import java.time.Clock;
import java.time.Duration;

/**
 * A hybrid logical clock (Kulkarni et al.): timestamps that follow wall-clock time, never go
 * backwards, and order causally related events across nodes. Packed as in {@link Hlc}.
 *
 * <ul>
 *   <li>{@link #now()} (send/local event): {@code max(wall, last + 1)}.</li>
 *   <li>{@link #receive(Hlc)}: merges a remote timestamp, {@code max(wall, last + 1, remote + 1)}, so the
 *       next local timestamp is after everything seen. A remote timestamp further ahead of the wall clock
 *       than the maximum drift is refused with {@link ErrorCode#CLOCK_SKEW} and not merged.</li>
 *   <li>Seeded from a stored value ({@link #HybridLogicalClock(Clock, Duration, Hlc)}) it stays monotonic
 *       across restarts even if the wall clock went back.</li>
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class HybridLogicalClock {
    private final Clock wallClock;
    private final Duration maxDrift;
    private long last;

    /**
     * A clock starting from nothing.
     *
     * @param wallClock the physical time source
     * @param maxDrift how far a received timestamp may be ahead of the wall clock
     */
    public HybridLogicalClock(Clock wallClock, Duration maxDrift) {
        this(wallClock, maxDrift, Hlc.ZERO);
    }

    /**
     * A clock that continues after {@code seed} (e.g. the value persisted before a restart).
     *
     * @param wallClock the physical time source
     * @param maxDrift how far a received timestamp may be ahead of the wall clock
     * @param seed a timestamp every later one must follow
     */
    public HybridLogicalClock(Clock wallClock, Duration maxDrift, Hlc seed) {
        this.wallClock = requireNonNull(wallClock, "wallClock is null");
        this.maxDrift = requireNonNull(maxDrift, "maxDrift is null");
        this.last = requireNonNull(seed, "seed is null").value();
    }

    /**
     * A new timestamp for a local or send event, after every timestamp this clock returned or received.
     *
     * @return the timestamp
     */
    public synchronized Hlc now() {
        last = Math.max(wallPacked(), last + 1);
        return new Hlc(last);
    }

    /**
     * Merges a timestamp received from another node and returns a new local timestamp after it.
     *
     * @param remote the timestamp received
     * @return a timestamp after both {@code remote} and every earlier one of this clock
     * @throws PocketSyncException with {@link ErrorCode#CLOCK_SKEW} when {@code remote} is more than the
     *         maximum drift ahead of the wall clock; the clock is then unchanged
     */
    public synchronized Hlc receive(Hlc remote) {
        checkDrift(remote);
        last = Math.max(Math.max(wallPacked(), last + 1), remote.value() + 1);
        return new Hlc(last);
    }

    /**
     * Throws {@link ErrorCode#CLOCK_SKEW} when {@code remote}'s physical time is more than the maximum
     * drift ahead of the wall clock.
     *
     * @param remote the timestamp received
     */
    public void checkDrift(Hlc remote) {
        long aheadMillis = remote.physicalMillis() - wallClock.millis();
        if (aheadMillis > maxDrift.toMillis()) {
            throw new PocketSyncException(ErrorCode.CLOCK_SKEW, "timestamp " + remote + " is " + aheadMillis
                    + " ms ahead of the server clock (max drift " + maxDrift.toMillis() + " ms)");
        }
    }

    /**
     * The latest timestamp returned, without advancing.
     *
     * @return the latest timestamp; the seed (or zero) before the first
     */
    public synchronized Hlc current() {
        return new Hlc(last);
    }

    /**
     * The maximum accepted drift.
     *
     * @return the drift given at construction
     */
    public Duration maxDrift() {
        return maxDrift;
    }

    private long wallPacked() {
        return wallClock.millis() << Hlc.LOGICAL_BITS;
    }
}
