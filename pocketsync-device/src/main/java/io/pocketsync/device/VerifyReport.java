package io.pocketsync.device;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The result of comparing the device's rows with the server's by checksum ({@link PocketSyncDevice#verify}).
 *
 * @param sequence the server sequence both sides were compared at (the device's cursor then)
 * @param compared false when no comparison was possible: the device was offline, or the scope kept moving so that the
 *        device's cursor never met the server's head while asking; {@code tables} is then empty
 * @param tables one result per tracked table
 */
public record VerifyReport(long sequence, boolean compared, List<TableVerification> tables) {
    /**
     * Copies the list.
     *
     * @param sequence the server sequence both sides were compared at
     * @param compared false when no comparison was possible
     * @param tables one result per tracked table
     */
    public VerifyReport {
        tables = List.copyOf(requireNonNull(tables, "tables is null"));
    }

    /**
     * Whether some table still differs from the server.
     *
     * @return true when a table's outcome is {@link TableVerification.Outcome#MISMATCH}
     */
    public boolean mismatch() {
        return tables.stream().anyMatch(table -> table.outcome() == TableVerification.Outcome.MISMATCH);
    }

    /**
     * Rows repaired in all tables.
     *
     * @return the sum of {@link TableVerification#repairedRows()}
     */
    public int repairedRows() {
        return tables.stream().mapToInt(TableVerification::repairedRows).sum();
    }
}
