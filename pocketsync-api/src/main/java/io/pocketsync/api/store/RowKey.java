package io.pocketsync.api.store;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.Change;

/** A row's identity inside a scope: table and {@code ps_global_id}. Immutable. */
public record RowKey(String table, String globalId) {
    /**
     * Validates the key.
     *
     * @param table the table
     * @param globalId the row's {@code ps_global_id}
     */
    public RowKey {
        requireNonNull(table, "table is null");
        requireNonNull(globalId, "globalId is null");
    }

    /**
     * The row a change is about.
     *
     * @param change the change
     * @return its table and global id
     */
    public static RowKey of(Change change) {
        return new RowKey(change.table(), change.globalId());
    }
}
