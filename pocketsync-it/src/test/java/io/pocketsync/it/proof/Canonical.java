package io.pocketsync.it.proof;

import io.pocketsync.api.model.Rows;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.CatchUpPage;
import io.pocketsync.api.store.ServerStore;
import java.util.Map;
import java.util.TreeMap;

/** Rows in one comparable shape: sorted columns, SQLite values normalised (Long, Double, String, null). */
final class Canonical {
    private Canonical() {}

    static Map<String, Object> row(Map<String, ?> row) {
        Map<String, Object> copy = new TreeMap<>();
        row.forEach((column, value) -> copy.put(column, Rows.normalise(value)));
        return copy;
    }

    /** The server's live rows of {@code table} ({@code ps_global_id -> row}), paged through the store. */
    static Map<String, Map<String, Object>> serverRows(ServerStore store, Scope scope, String table) {
        Map<String, Map<String, Object>> rows = new TreeMap<>();
        long cursor = 0;
        while (true) {
            CatchUpPage page = store.page(scope, cursor, 500, false);
            for (RowState state : page.rows()) {
                if (state.table().equals(table) && !state.deleted()) {
                    rows.put(state.globalId(), row(state.row()));
                }
            }
            if (!page.hasMore() || page.nextCursor() == cursor) {
                return rows;
            }
            cursor = page.nextCursor();
        }
    }
}
