package io.pocketsync.api.capture;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What {@link ChangeCapture#apply} did with a page of remote changes.
 *
 * @param applied changes written to the local tables
 * @param skipped changes not written: already processed, or the row has a later pending local change
 * @param parked changes parked in the dead-letter table (key collision, unknown table or column, malformed)
 * @param tables the tables that were written
 */
public record ApplyReport(int applied, int skipped, int parked, List<String> tables) {
    public ApplyReport {
        tables = List.copyOf(requireNonNull(tables, "tables is null"));
    }
}
