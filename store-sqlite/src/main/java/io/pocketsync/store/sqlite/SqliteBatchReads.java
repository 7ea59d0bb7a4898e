package io.pocketsync.store.sqlite;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.RowKey;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a batch needs to know before it is resolved, asked of SQLite a few statements per batch instead
 * of one query per change. Runs on the writer inside the batch's transaction. Not thread-safe.
 */
final class SqliteBatchReads {
    /** Largest IN list; smaller lists are padded up to a power of two so few statements are prepared. */
    private static final int CHUNK = 256;
    private SqliteBatchReads() {}

    /**
     * Splits {@code count} rows into multi-row statements of at most {@code max} rows, each a power of two,
     * so a handful of statements serve every batch size (each is prepared once and kept).
     */
    static List<Integer> chunkSizes(int count, int max) {
        List<Integer> sizes = new ArrayList<>();
        int left = count;
        while (left >= max) {
            sizes.add(max);
            left -= max;
        }
        for (int size = Integer.highestOneBit(Math.max(1, left)); left > 0; size >>= 1) {
            if (left >= size) {
                sizes.add(size);
                left -= size;
            }
        }
        return sizes;
    }

    /**
     * The stored rows of a batch and which of their {@code last_change_id}s still count as processed: those of rows
     * written after the scope's latest prune ({@code last_seq > ids_pruned_head}) or committed at or after its cut
     * ({@link SqliteSchema}); an older row's id was forgotten with the ids that prune removed.
     *
     * @param rows the stored state of every row the batch touches; absent rows are left out
     * @param heldIds the ids of {@code rows} that count as processed
     */
    record StoredRows(Map<RowKey, RowState> rows, Set<String> heldIds) {
        static final StoredRows NONE = new StoredRows(Map.of(), Set.of());
    }

    /** The scope's latest prune: its head and its cut (epoch ms); {@code (0, 0)} when it was never pruned. */
    record IdsPruned(long head, long before) {
        static final IdsPruned NEVER = new IdsPruned(0, 0);
    }

    /** The stored state of every row the batch touches, and the ids they hold ({@link StoredRows}). */
    static StoredRows loadRows(SqliteConnection writer, String rowColumns, Scope scope, List<Change> changes, IdsPruned pruned)
            throws SQLException {
        Map<String, Set<String>> byTable = new LinkedHashMap<>();
        for (Change change : changes) {
            if (change != null) {
                byTable.computeIfAbsent(change.table(), table -> new LinkedHashSet<>()).add(change.globalId());
            }
        }
        Map<RowKey, RowState> rows = new HashMap<>();
        Set<String> held = new HashSet<>();
        int holds = rowColumns.split(",").length + 1;
        for (Map.Entry<String, Set<String>> table : byTable.entrySet()) {
            List<String> gids = new ArrayList<>(table.getValue());
            for (int from = 0; from < gids.size(); from += CHUNK) {
                List<String> chunk = gids.subList(from, Math.min(gids.size(), from + CHUNK));
                int size = Integer.highestOneBit(chunk.size());
                size = size == chunk.size() ? size : size * 2;
                PreparedStatement select = writer.prepared("SELECT " + rowColumns + ", (last_seq > ?1 OR committed_at >= ?2)"
                        + " FROM ps_rows WHERE scope = ?3 AND tbl = ?4 AND gid IN (?5" + ", ?".repeat(size - 1) + ")");
                select.setLong(1, pruned.head());
                select.setLong(2, pruned.before());
                select.setString(3, scope.name());
                select.setString(4, table.getKey());
                for (int i = 0; i < size; i++) {
                    // Padding repeats the last id: IN ignores duplicates.
                    select.setString(5 + i, chunk.get(Math.min(i, chunk.size() - 1)));
                }
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        RowState state = SqliteRowReads.rowState(rs);
                        rows.put(new RowKey(state.table(), state.globalId()), state);
                        if (rs.getInt(holds) != 0) {
                            held.add(state.lastChangeId());
                        }
                    }
                }
            }
        }
        return new StoredRows(rows, held);
    }
}
