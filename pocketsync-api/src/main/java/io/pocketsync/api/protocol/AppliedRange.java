package io.pocketsync.api.protocol;

/**
 * The server sequences a compact {@link Ack} gives the changes it does not name: all of them were {@code APPLIED},
 * each with one sequence of {@code [from, to]} (a bulk page's applied changes take consecutive sequences, in page
 * order; changes the ACK names as {@code APPLIED} with a winner take theirs from the range too). {@code count} is how
 * many changes the ACK leaves unnamed, so a device can check the answer covers its page.
 *
 * @param from the first sequence, positive; or 0 with {@code to} 0 when no change was applied
 * @param to the last sequence, at least {@code from}
 * @param count the changes the ACK does not name, at most {@code to - from + 1}
 */
public record AppliedRange(long from, long to, int count) {
    /**
     * Validates the range.
     *
     * @param from the first sequence
     * @param to the last sequence
     * @param count the changes the ACK does not name
     */
    public AppliedRange {
        boolean valid = from == 0 ? to == 0 && count == 0 : to >= from && count >= 0 && count <= to - from + 1;
        if (!valid) {
            throw new IllegalArgumentException("invalid applied range [" + from + ", " + to + "] for " + count + " changes");
        }
    }

    /** The range of a page none of whose changes was simply applied. */
    public static final AppliedRange NONE = new AppliedRange(0, 0, 0);
}
