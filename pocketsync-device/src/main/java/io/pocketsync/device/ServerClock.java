package io.pocketsync.device;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.capture.ChangeCapture;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.protocol.Welcome;

/**
 * Keeps the device's clocks in step with the server's (docs/protocol.md 3.1, 3.2): merges the server's hybrid logical
 * clock from every WELCOME and ACK, and measures how far the device's wall clock is from the server's
 * ({@link ChangeCapture#clockOffset}) at each WELCOME and again when the server refused changes {@code CLOCK_SKEW}.
 *
 * <p>Engine thread only.
 */
final class ServerClock {
    /** A measured clock offset below this is network delay, not a wrong clock. */
    private static final long CLOCK_NOISE_MILLIS = 1_000;

    private final ChangeCapture capture;

    ServerClock(ChangeCapture capture) {
        this.capture = requireNonNull(capture, "capture is null");
    }

    /** A WELCOME: merges its clock and measures the offset when it carries the server's time. */
    void welcomed(Welcome welcome) {
        capture.mergeClock(welcome.serverHlc());
        if (welcome.serverTimeMillis() > 0) {
            measureOffset(welcome.serverTimeMillis());
        }
    }

    /** An ACK: merges its clock (whether or not the ACK is for a PUSH in flight). */
    void acknowledged(Ack ack) {
        capture.mergeClock(ack.serverHlc());
    }

    /**
     * After an ACK of a PUSH in flight: when the server refused a change {@code CLOCK_SKEW}, the clock moved since the
     * WELCOME measured it, so it is measured again, which restamps what is pending (the refused changes are pending
     * again, see SkewedChanges).
     *
     * @return true when a change was refused for the clock: every pending change is to be sent again
     */
    boolean remeasuredAfterSkew(Ack ack) {
        if (!refusedForClock(ack)) {
            return false;
        }
        if (ack.serverTimeMillis() > 0) {
            measureOffset(ack.serverTimeMillis());
            // and what is stamped already, even if this device's clock has not caught up with itself yet
            capture.restampAhead(ack.serverTimeMillis());
        }
        return true;
    }

    /** Stores how far this device's clock is from the server's, which restamps pending changes if it moved. */
    private void measureOffset(long serverTimeMillis) {
        // the measure includes one network delay; below a second it is noise, not a wrong clock
        long offset = System.currentTimeMillis() - serverTimeMillis;
        capture.clockOffset(Math.abs(offset) < CLOCK_NOISE_MILLIS ? 0 : offset);
    }

    private static boolean refusedForClock(Ack ack) {
        for (ChangeResult result : ack.results()) {
            if (result.status() == ChangeStatus.REJECTED && result.errorCode() == ErrorCode.CLOCK_SKEW) {
                return true;
            }
        }
        return false;
    }
}
