package io.pocketsync.device;

import static java.util.Objects.requireNonNull;

/**
 * How one table compared with the server (docs/protocol.md 4).
 *
 * @param table the table
 * @param rows the device's synced rows of the table (held rows included)
 * @param checksum the device's checksum of the table (before any repair)
 * @param outcome match, mismatch or repaired
 * @param differingRows rows found different from the server, leaving out rows with unsettled changes
 * @param repairedRows rows written or deleted to match the server
 */
public record TableVerification(String table, long rows, long checksum, Outcome outcome, int differingRows, int repairedRows) {
    /** The result of comparing one table. */
    public enum Outcome {
        /** The device holds the server's rows (rows with unsettled local changes aside). */
        MATCH,
        /** Rows differ and were not repaired. */
        MISMATCH,
        /** Rows differed and now hold the server's state. */
        REPAIRED
    }

    /**
     * Validates the result.
     *
     * @param table the table
     * @param rows the device's synced rows of the table (held rows included)
     * @param checksum the device's checksum of the table (before any repair)
     * @param outcome match, mismatch or repaired
     * @param differingRows rows found different from the server, leaving out rows with unsettled changes
     * @param repairedRows rows written or deleted to match the server
     */
    public TableVerification {
        requireNonNull(table, "table is null");
        requireNonNull(outcome, "outcome is null");
    }

    /** A table whose checksums match the server's. */
    static TableVerification matched(io.pocketsync.api.checksum.TableChecksum mine) {
        return new TableVerification(mine.table(), mine.count(), mine.sum(), Outcome.MATCH, 0, 0);
    }
}
