package io.pocketsync.store.sqlite;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.Change;

/** A row's identity inside a scope. */
record RowKey(String table, String globalId) {
    RowKey {
        requireNonNull(table, "table is null");
        requireNonNull(globalId, "globalId is null");
    }

    static RowKey of(Change change) {
        return new RowKey(change.table(), change.globalId());
    }
}
