package io.pocketsync.device.capture;

import static java.util.Objects.requireNonNull;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rows held out of their tables because a parent they reference is not on this device
 * ({@code __pocketsync_held_rows}, wire images keyed by table and {@code ps_global_id}).
 *
 * <p>The foreign-key rule: <em>a row exists on a device exactly when every parent it references (by a
 * translated reference, see {@link KeyTranslation}) exists there.</em> A child whose parent was deleted
 * elsewhere, or has not arrived yet (catch-up sends rows in the order of their last change, so a parent edited
 * after its child was inserted comes later), is held here instead of being written; it is written as soon as its
 * parent is. A parent's delete holds its children (and theirs) the same way before it deletes the parent. So
 * every device, and a fresh one, ends with the same rows and a clean {@code PRAGMA foreign_key_check}, whatever
 * order parent deletes and child inserts met in; and if the parent comes back (a later write wins over its
 * delete), so do its children. A reference declared {@code ON DELETE SET NULL} is the exception, as the schema
 * says: its row stays, with the reference NULL, both when the parent's delete is applied and when the row arrives
 * after its parent is gone. Held rows are never captured as changes: every device reaches the same state on
 * its own.
 *
 * <p>Used inside the applying transaction only.
 */
final class HeldRows {
    private static final Logger LOG = LoggerFactory.getLogger(HeldRows.class);

    private final StatementCache statements;
    /** Rows this instance held and has not released: said once by {@link #sayNewlyHeld()}. */
    private final Set<RowKey> newlyHeld = new LinkedHashSet<>();
    /** Whether the table may hold rows; read once, then kept by this instance's own writes. */
    private Boolean any;

    /** A held row: its table, id and wire image. */
    record Held(String table, String globalId, Map<String, Object> row) {}

    HeldRows(StatementCache statements) {
        this.statements = requireNonNull(statements, "statements is null");
    }

    /** Whether any row is held (cheap; the table is normally empty). */
    boolean isEmpty() throws SQLException {
        if (any == null) {
            any = statements.queryLong("SELECT EXISTS (SELECT 1 FROM " + SystemTables.HELD + ")") != 0;
        }
        return !any;
    }

    /** The held image of a row, or null. */
    Map<String, Object> get(String table, String globalId) throws SQLException {
        if (isEmpty()) {
            return null;
        }
        String json = statements.queryString("SELECT row_json FROM " + SystemTables.HELD + " WHERE tbl = ? AND gid = ?", table, globalId);
        return json == null ? null : RowImages.parse(json);
    }

    /** Holds a row's wire image, replacing what was held for it. */
    void hold(String table, String globalId, Map<String, Object> row) throws SQLException {
        holdJson(table, globalId, RowImages.toJson(row));
    }

    /** Holds a row by its wire image given as JSON text. */
    void holdJson(String table, String globalId, String json) throws SQLException {
        statements.update("INSERT OR REPLACE INTO " + SystemTables.HELD + " (tbl, gid, row_json) VALUES (?, ?, ?)", table, globalId, json);
        any = true;
        newlyHeld.add(new RowKey(table, globalId));
    }

    /** Forgets a held row (it was deleted, or is being written). */
    void release(String table, String globalId) throws SQLException {
        newlyHeld.remove(new RowKey(table, globalId));
        if (!isEmpty()) {
            statements.update("DELETE FROM " + SystemTables.HELD + " WHERE tbl = ? AND gid = ?", table, globalId);
        }
    }

    /** Every held row, oldest first. */
    List<Held> all() throws SQLException {
        List<Held> rows = new ArrayList<>();
        if (isEmpty()) {
            return rows;
        }
        PreparedStatement read = statements.get("SELECT tbl, gid, row_json FROM " + SystemTables.HELD);
        try (ResultSet rs = read.executeQuery()) {
            while (rs.next()) {
                rows.add(new Held(rs.getString(1), rs.getString(2), RowImages.parse(rs.getString(3))));
            }
        }
        any = !rows.isEmpty();
        return rows;
    }

    /**
     * Says, one line per table, which rows this instance held and did not write again: a row the user wrote here may
     * have left its table (its parent was deleted elsewhere), and without a word it would seem lost. A row held and
     * released in the same apply (its parent came later in the same page) is not said.
     */
    void sayNewlyHeld() {
        if (newlyHeld.isEmpty()) {
            return;
        }
        Map<String, List<String>> byTable = new TreeMap<>();
        for (RowKey key : newlyHeld) {
            byTable.computeIfAbsent(key.table(), table -> new ArrayList<>()).add(key.globalId());
        }
        newlyHeld.clear();
        byTable.forEach((table, ids) -> LOG.info("{} row(s) of {} held out of the table ({}{}): a parent row they reference is not"
                + " on this device (deleted elsewhere, or still to arrive); each is written again when its parent is",
                ids.size(), RowWriter.shorten(table), RowWriter.shorten(String.join(", ", ids.subList(0, Math.min(3, ids.size())))),
                ids.size() > 3 ? ", ..." : ""));
    }
}
