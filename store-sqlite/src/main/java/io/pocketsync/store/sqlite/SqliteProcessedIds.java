package io.pocketsync.store.sqlite;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Scope;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The idempotency records: every change id a batch decided (applied, superseded, rejected) in
 * {@code ps_processed}, keyed by scope and id for the duplicate check, and one {@code ps_processed_batches}
 * row per batch listing its ids, so pruning finds old ids by commit time without an index entry per id.
 * Runs on the writer inside a transaction. Not thread-safe.
 */
final class SqliteProcessedIds {
    /** Rows per multi-row INSERT: one statement step opens the B-tree cursors once for all of them. */
    static final int IDS_PER_STATEMENT = 64;
    private static final String[] NEW_IDS = SqliteBatchWrites.statements(IDS_PER_STATEMENT,
            "INSERT OR ROLLBACK INTO ps_processed (scope, change_id, committed_at) VALUES ", 1, "");
    private static final String[] RECORD_IDS = SqliteBatchWrites.statements(IDS_PER_STATEMENT,
            "INSERT OR IGNORE INTO ps_processed (scope, change_id, committed_at) VALUES ", 1, " RETURNING change_id");
    /** Ids deleted per statement while pruning. */
    private static final int PRUNE_CHUNK = 500;
    private static final ObjectMapper JSON = new ObjectMapper();

    private SqliteProcessedIds() {}

    /**
     * The change ids of a batch, in order; {@code distinct} drops repeats. An id repeated within a batch makes
     * {@link #insertNew} conflict with itself, which sends the batch the exact way: rare enough not to pay for
     * removing repeats up front.
     */
    static List<String> ids(List<Change> changes, boolean distinct) {
        Set<String> seen = distinct ? new LinkedHashSet<>() : null;
        List<String> ids = new ArrayList<>(changes.size());
        for (Change change : changes) {
            if (change != null && (seen == null || seen.add(change.changeId()))) {
                ids.add(change.changeId());
            }
        }
        return ids;
    }

    /**
     * Records ids assumed never processed. One that was rolls the whole transaction back (INSERT OR ROLLBACK,
     * see {@link SqliteBatchWrites}), and the batch is applied again with {@link #record}.
     */
    static void insertNew(SqliteConnection writer, Scope scope, List<String> ids, long now) throws SQLException {
        int from = 0;
        for (int size : SqliteBatchReads.chunkSizes(ids.size(), IDS_PER_STATEMENT)) {
            PreparedStatement insert = writer.prepared(NEW_IDS[size]);
            insert.setString(1, scope.name());
            insert.setLong(2, now);
            int parameter = 3;
            for (String id : ids.subList(from, from + size)) {
                insert.setString(parameter++, id);
            }
            insert.executeUpdate();
            from += size;
        }
    }

    /**
     * Records every id (INSERT OR IGNORE, many rows per statement) and returns the ids that were recorded
     * before: one B-tree probe per id does the duplicate check and the write. The exact way, after
     * {@link #insertNew} met an id that was there.
     * The ids it inserts are exactly the ones the plan then lists as processed (non-duplicates); if the
     * batch fails, the transaction's rollback removes them.
     */
    static Set<String> record(SqliteConnection writer, Scope scope, List<String> ids, long now) throws SQLException {
        if (ids.isEmpty()) {
            return Set.of();
        }
        Set<String> inserted = new HashSet<>();
        int from = 0;
        for (int size : SqliteBatchReads.chunkSizes(ids.size(), IDS_PER_STATEMENT)) {
            // RETURNING lists only the rows INSERT OR IGNORE really inserted; all are inserted on the first step.
            PreparedStatement insert = writer.prepared(RECORD_IDS[size]);
            insert.setString(1, scope.name());
            insert.setLong(2, now);
            int parameter = 3;
            for (String id : ids.subList(from, from + size)) {
                insert.setString(parameter++, id);
            }
            try (ResultSet rs = insert.executeQuery()) {
                while (rs.next()) {
                    inserted.add(rs.getString(1));
                }
            }
            from += size;
        }
        Set<String> before = new HashSet<>();
        for (String id : ids) {
            if (!inserted.contains(id)) {
                before.add(id);
            }
        }
        return before;
    }

    /** Lists the ids a batch recorded (by {@link #insertNew} or {@link #record}) under its commit time. */
    static void recordBatch(SqliteConnection writer, Scope scope, List<String> recorded, long now) throws SQLException {
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
