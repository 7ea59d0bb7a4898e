package io.pocketsync.api.model;

/**
 * A position in a scope's server sequence: the device has applied every change with a server
 * sequence at or below {@code sequence}. Server sequences are per scope, start at 1, and become
 * visible in commit order, so a cursor never skips a change.
 *
 * @param sequence the last server sequence applied; 0 before anything was applied
 */
public record Cursor(long sequence) implements Comparable<Cursor> {
    /** The cursor of a device that has never synced. */
    public static final Cursor START = new Cursor(0);

    /**
     * Validates the sequence: never negative.
     *
     * @param sequence the last server sequence applied; 0 before anything was applied
     */
    public Cursor {
        if (sequence < 0) {
            throw new IllegalArgumentException("cursor must not be negative: " + sequence);
        }
    }

    /**
     * The cursor at {@code sequence}.
     *
     * @param sequence the last server sequence applied
     * @return the cursor; {@link #START} for 0
     */
    public static Cursor of(long sequence) {
        return sequence == 0 ? START : new Cursor(sequence);
    }

    @Override
    public int compareTo(Cursor other) {
        return Long.compare(sequence, other.sequence);
    }
}
