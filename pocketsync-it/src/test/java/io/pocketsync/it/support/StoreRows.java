package io.pocketsync.it.support;

import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.CatchUpPage;
import io.pocketsync.api.store.ServerStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reads a scope's server state through the store SPI, page by page, for comparisons with devices. */
public final class StoreRows {
    private StoreRows() {}

    /** Every row state of {@code scope}, tombstones included, in sequence order. */
    public static List<RowState> all(ServerStore store, String scope) {
        List<RowState> rows = new ArrayList<>();
        long cursor = 0;
        while (true) {
            CatchUpPage page = store.page(Scope.of(scope), cursor, 500, true);
            rows.addAll(page.rows());
            if (!page.hasMore() || page.nextCursor() == cursor) {
                return rows;
            }
            cursor = page.nextCursor();
        }
    }

    /** Row states by {@code table/globalId}: a snapshot to compare before and after something. */
    public static Map<String, RowState> snapshot(ServerStore store, String scope) {
        Map<String, RowState> byKey = new TreeMap<>();
        for (RowState row : all(store, scope)) {
            byKey.put(row.table() + "/" + row.globalId(), row);
        }
        return byKey;
    }

    /**
     * The live rows of {@code table} as a device would hold them (user columns plus {@code ps_global_id}),
     * ordered by global id, to compare with {@link SqliteFiles#rows}.
     */
    public static List<Map<String, Object>> liveRows(ServerStore store, String scope, String table) {
        TreeMap<String, Map<String, Object>> byId = new TreeMap<>();
        for (RowState row : all(store, scope)) {
            if (row.table().equals(table) && !row.deleted()) {
                Map<String, Object> image = new LinkedHashMap<>(row.row());
                image.put("ps_global_id", row.globalId());
                byId.put(row.globalId(), image);
            }
        }
        return new ArrayList<>(byId.values());
    }
}
