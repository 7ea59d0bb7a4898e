package io.pocketsync.store.sqlite;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.BatchPlan;
import io.pocketsync.api.store.RowKey;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The idempotency records (layout 3, {@link SqliteSchema}): the change ids a batch decided (applied, superseded,
 * rejected) that no stored row holds, in {@code ps_processed}, keyed by scope and id for the duplicate check, and one
 * {@code ps_processed_batches} row per batch listing the ids it recorded, so pruning finds old ids by commit time
 * without an index entry per id.
 *
 * <p>An applied change's id is its row's {@code last_change_id}: the row holds it, and it is written here only when a
 * later change replaces it ({@link #toRecord}). A change is thus processed when its id is here, or when the stored row
 * it names holds that id and still counts ({@link SqliteBatchReads#loadRows}). A batch of new rows, the common case,
 * records nothing here: one B-tree entry per change and the batch record fewer than recording every id.
 * Runs on the writer inside a transaction. Not thread-safe.
 */
final class SqliteProcessedIds {
    /** Ids per multi-row statement: one statement step opens the B-tree cursors once for all of them. */
    static final int IDS_PER_STATEMENT = 64;
    private static final String[] RECORD_IDS = SqliteBatchWrites.statements(IDS_PER_STATEMENT,
            "INSERT OR IGNORE INTO ps_processed (scope, change_id, committed_at) VALUES ", 1, "");
    /**
     * Largest IN list of {@link #find}; a shorter list is padded up to a power of two, so a batch of up to this many
     * changes asks in one statement and only the powers of two are ever prepared.
     */
    static final int FIND_PER_STATEMENT = 256;
    /** {@link #find}'s statements by IN-list length (powers of two only). */
    private static final String[] FIND_IDS = new String[FIND_PER_STATEMENT + 1];
    /** Ids deleted per statement while pruning. */
    private static final int PRUNE_CHUNK = 500;
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        for (int size = 1; size <= FIND_PER_STATEMENT; size <<= 1) {
            FIND_IDS[size] = "SELECT change_id FROM ps_processed WHERE scope = ? AND change_id IN (?" + ", ?".repeat(size - 1) + ")";
        }
    }

    private SqliteProcessedIds() {}

    /** The change ids of a batch, in order, repeats included (they are harmless in the reads and writes here). */
    static List<String> ids(List<Change> changes) {
        List<String> ids = new ArrayList<>(changes.size());
        for (Change change : changes) {
            if (change != null) {
                ids.add(change.changeId());
            }
        }
        return ids;
    }

    /**
     * Which of {@code ids} are recorded here: a read, many ids per statement, that writes nothing. The ids rows
     * hold are the other half of the duplicate check ({@link SqliteBatchReads#loadRows}).
     */
    static Set<String> find(SqliteConnection writer, Scope scope, List<String> ids) throws SQLException {
        Set<String> found = new HashSet<>();
        for (int from = 0; from < ids.size(); from += FIND_PER_STATEMENT) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + FIND_PER_STATEMENT));
            int size = Integer.highestOneBit(chunk.size());
            size = size == chunk.size() ? size : size * 2;
            PreparedStatement select = writer.prepared(FIND_IDS[size]);
            select.setString(1, scope.name());
            for (int i = 0; i < size; i++) {
                // Padding repeats the last id: IN ignores duplicates. One statement per batch of up to 256 changes, where
                // statements of at most 64 ids took three for a batch of 100 (each step is a JNI call and a VDBE run).
                select.setString(2 + i, chunk.get(Math.min(i, chunk.size() - 1)));
            }
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
        }
        return found;
    }

    /**
     * The ids a planned batch must record: those it processed that no row it writes holds (superseded, rejected, and
     * applied ones a later change of the batch replaced), and those its rows held that it replaces.
     *
     * @param stored the batch's rows as stored before it (absent ones left out)
     * @param held the ids of {@code stored} rows that count as processed
     */
    static List<String> toRecord(BatchPlan plan, Map<RowKey, RowState> stored, Set<String> held) {
        Map<RowKey, BatchPlan.Planned> rows = plan.rows();
        Set<String> holding = new HashSet<>(rows.size() * 2);
        for (BatchPlan.Planned planned : rows.values()) {
            holding.add(planned.state().lastChangeId());
        }
        List<String> ids = new ArrayList<>();
        for (String id : plan.processedIds()) {
            if (!holding.contains(id)) {
                ids.add(id);
            }
        }
        if (!stored.isEmpty()) {
            for (Map.Entry<RowKey, BatchPlan.Planned> row : rows.entrySet()) {
                RowState before = stored.get(row.getKey());
                if (before != null && held.contains(before.lastChangeId()) && !holding.contains(before.lastChangeId())) {
                    ids.add(before.lastChangeId());
                }
            }
        }
        return ids;
    }

    /**
     * Records ids (INSERT OR IGNORE, many rows per statement: an id a row held may be here already, written by an
     * older layout) and lists them in a batch record under the commit time, for pruning.
     */
    static void record(SqliteConnection writer, Scope scope, List<String> ids, long now) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        int from = 0;
        for (int size : SqliteBatchReads.chunkSizes(ids.size(), IDS_PER_STATEMENT)) {
            PreparedStatement insert = writer.prepared(RECORD_IDS[size]);
            insert.setString(1, scope.name());
            insert.setLong(2, now);
            int parameter = 3;
            for (String id : ids.subList(from, from + size)) {
                insert.setString(parameter++, id);
            }
            insert.executeUpdate();
            from += size;
        }
        recordBatch(writer, scope, ids, now);
    }

    /** Lists the ids a batch recorded under its commit time. */
    private static void recordBatch(SqliteConnection writer, Scope scope, List<String> recorded, long now) throws SQLException {
        if (recorded.isEmpty()) {
            return;
        }
        PreparedStatement insert = writer.prepared("INSERT INTO ps_processed_batches (scope, committed_at, ids) VALUES (?, ?, ?)");
        insert.setString(1, scope.name());
        insert.setLong(2, now);
        insert.setString(3, jsonArray(recorded));
        insert.executeUpdate();
    }

    /** The ids as a JSON array; ids are plain ASCII almost always and are then written as they are. */
    static String jsonArray(List<String> ids) {
        StringBuilder json = new StringBuilder(ids.size() * 24 + 2).append('[');
        for (String id : ids) {
            if (json.length() > 1) {
                json.append(',');
            }
            if (plain(id)) {
                json.append('"').append(id).append('"');
            }
            else {
                try {
                    json.append(JSON.writeValueAsString(id));
                }
                catch (JsonProcessingException e) {
                    throw new IllegalStateException("a string is always JSON", e);
                }
            }
        }
        return json.append(']').toString();
    }

    private static boolean plain(String id) {
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /** Deletes the ids of batches committed before {@code cut} (epoch ms) and their batch rows. */
    static void prune(SqliteConnection writer, Scope scope, long cut) throws SQLException {
        PreparedStatement batches = writer.prepared("SELECT ids FROM ps_processed_batches WHERE scope = ? AND committed_at < ?");
        batches.setString(1, scope.name());
        batches.setLong(2, cut);
        PreparedStatement delete = writer.prepared("DELETE FROM ps_processed WHERE scope = ? AND change_id = ?");
        int pending = 0;
        try (ResultSet rs = batches.executeQuery()) {
            while (rs.next()) {
                for (JsonNode id : readIds(rs.getString(1))) {
                    delete.setString(1, scope.name());
                    delete.setString(2, id.textValue());
                    delete.addBatch();
                    if (++pending == PRUNE_CHUNK) {
                        delete.executeBatch();
                        pending = 0;
                    }
                }
            }
        }
        if (pending > 0) {
            delete.executeBatch();
        }
        PreparedStatement deleteBatches = writer.prepared("DELETE FROM ps_processed_batches WHERE scope = ? AND committed_at < ?");
        deleteBatches.setString(1, scope.name());
        deleteBatches.setLong(2, cut);
        deleteBatches.executeUpdate();
    }

    private static JsonNode readIds(String json) throws SQLException {
        try {
            return JSON.readTree(json);
        }
        catch (JsonProcessingException e) {
            throw new SQLException("corrupt processed-id batch record: " + json, e);
        }
    }
}
