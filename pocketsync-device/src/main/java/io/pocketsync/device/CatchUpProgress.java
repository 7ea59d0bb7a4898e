package io.pocketsync.device;

/**
 * Progress of a catch-up (or full resync): pages and rows applied so far, and an estimate of the total.
 *
 * @param batchesDone pages applied since the catch-up started
 * @param rowsDone rows received since the catch-up started
 * @param estimatedTotalRows {@code rowsDone} plus the server's upper bound of what remains; 0 before the first page
 * @param snapshot whether this is a full resync
 */
public record CatchUpProgress(int batchesDone, long rowsDone, long estimatedTotalRows, boolean snapshot) {
    /** A catch-up that has applied no page yet. */
    static CatchUpProgress starting(boolean snapshot) {
        return new CatchUpProgress(0, 0, 0, snapshot);
    }
}
