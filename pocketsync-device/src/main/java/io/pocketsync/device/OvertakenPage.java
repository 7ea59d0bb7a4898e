package io.pocketsync.device;

import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ChangesMode;
import java.util.concurrent.TimeUnit;

/**
 * A catch-up page that LIVE broadcasts overtook, and what the device waits for instead of pulling again.
 *
 * <p>A device pulls while broadcasts keep moving its cursor: the app called {@code syncNow()} during a burst of its own
 * pushes (each acknowledged batch comes back as an empty LIVE that moves the cursor), or the periodic pull fired while
 * another device's changes streamed in. The server reads the page from the PULL's cursor {@code C} up to its head
 * {@code H}; by the time the page arrives, LIVEs have moved the device to some {@code D > C}, so the page no longer
 * starts at the cursor and is refused (protocol.md 3.3). Every change up to {@code H} was committed before the page was
 * read, so its LIVE is on its way behind the page (the server hands a connection's messages to the transport in order;
 * a LIVE it sent before the page arrived before it). Pulling again at once was answered by a page that the next LIVEs
 * overtook in turn: a chain of PULLs, each making the server read up to four pages' worth of rows (the device's own,
 * skipped) and, on the receiving side, sending rows the device then threw away, for as long as the burst lasted.
 *
 * <p>So the device remembers the page's end, {@code H} ({@code cursor}, or {@code cursor + remaining} for a page with
 * more, whose {@code remaining} is an upper bound of what follows up to the head), and waits: once the cursor reaches it
 * nothing is missing; if no LIVE has moved the cursor for {@link #QUIET_NANOS} before it does (the broker dropped one, a
 * budget left the device out without a word yet), the device pulls from its cursor after all. A gap in the LIVEs, an
 * {@code ERROR CATCH_UP_REQUIRED} or any other PULL makes the wait moot. A page whose end the cursor has passed already
 * is a plain duplicate: nothing to do.
 *
 * <p>Engine thread only.
 */
final class OvertakenPage {
    /**
     * How long the cursor may stand still, short of an overtaken page's end, before the device pulls. The LIVEs it waits
     * for were sent right behind the page, so they arrive within milliseconds unless lost; the wait only delays the
     * healing of a LIVE that was lost while no later one came to show the gap.
     */
    static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    /** What a refused page asks of the device. */
    enum Verdict {
        /** It was not overtaken (it starts above the cursor, or is not a plain catch-up page): pull from the cursor. */
        PULL_NOW,
        /** The LIVEs passed its end already: the catch-up it answered is over. */
        CAUGHT_UP,
        /** Wait for the LIVEs of its range ({@link #liveApplied}, {@link #overdue}). */
        AWAIT_LIVE
    }

    /** The sequence the cursor must reach; 0 while nothing is awaited. */
    private long target;
    private long deadlineNanos;

    /**
     * A page was refused by the stored state: whether LIVEs overtook it, and if so whether they reached its end already.
     *
     * @param page the refused page
     * @param cursor the stored cursor
     * @param nowNanos {@link System#nanoTime()}
     * @return what the device does about it
     */
    Verdict refused(Changes page, long cursor, long nowNanos) {
        if (page.mode() != ChangesMode.CATCH_UP || page.tables() != null || cursor <= page.fromCursor()
                || page.hasMore() && page.estimatedRemaining() <= 0) {
            return Verdict.PULL_NOW;
        }
        long end = page.hasMore() ? page.cursor() + page.estimatedRemaining() : page.cursor();
        if (cursor >= end) {
            return Verdict.CAUGHT_UP;
        }
        target = Math.max(target, end);
        deadlineNanos = nowNanos + QUIET_NANOS;
        return Verdict.AWAIT_LIVE;
    }

    /**
     * A LIVE moved the cursor: the wait ends when it reached the page's end, and is extended otherwise.
     *
     * @return true when it reached the end now: the catch-up the page answered is over
     */
    boolean liveApplied(long cursor, long nowNanos) {
        if (target == 0) {
            return false;
        }
        if (cursor >= target) {
            clear();
            return true;
        }
        deadlineNanos = nowNanos + QUIET_NANOS;
        return false;
    }

    /**
     * Whether the LIVEs stopped short of the awaited end: true once, when the cursor has stood still for
     * {@link #QUIET_NANOS} below it (the wait then ends).
     */
    boolean overdue(long nowNanos, long cursor) {
        if (target == 0 || nowNanos - deadlineNanos < 0) {
            return false;
        }
        boolean stoppedShort = cursor < target;
        clear();
        return stoppedShort;
    }

    /** Nothing is awaited any more: a PULL went out, or the session ended. */
    void clear() {
        target = 0;
        deadlineNanos = 0;
    }

    /** Whether an overtaken page's end is awaited. */
    boolean waiting() {
        return target != 0;
    }
}
