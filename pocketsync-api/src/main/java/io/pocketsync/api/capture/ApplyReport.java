package io.pocketsync.api.capture;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What {@link ChangeCapture#apply} or {@link ChangeCapture#acknowledge} did with remote changes.
 *
 * @param accepted false when the page did not start at the stored cursor (duplicate or gap) and nothing was done
 * @param applied changes written to the local tables
 * @param skipped changes not written: the row already holds that server state or a later one, or the row has a
 *        later pending local change
 * @param parked changes parked in the dead-letter table (key collision, unknown table or column, malformed)
 * @param tables the tables that were written
 */
public record ApplyReport(boolean accepted, int applied, int skipped, List<ParkedChange> parked, List<String> tables) {
    /** Nothing done. */
    public static final ApplyReport NOT_ACCEPTED = new ApplyReport(false, 0, 0, List.of(), List.of());

    /**
     * Validates the record and copies its lists.
     *
     * @param accepted false when the page did not start at the stored cursor (duplicate or gap) and nothing was done
     * @param applied changes written to the local tables
     * @param skipped changes not written: already processed, or the row has a later pending local change
     * @param parked changes parked in the dead-letter table (key collision, unknown table or column, malformed)
     * @param tables the tables that were written
     */
    public ApplyReport {
        parked = List.copyOf(requireNonNull(parked, "parked is null"));
        tables = List.copyOf(requireNonNull(tables, "tables is null"));
    }
}
