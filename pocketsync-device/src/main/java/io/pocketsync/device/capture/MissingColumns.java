package io.pocketsync.device.capture;

import static io.pocketsync.api.Identifiers.quoteSql;
import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Values of columns this device's schema does not have yet ({@code __pocketsync_missing_columns}).
 *
 * <p>The mixed-versions rule: <em>a remote row image may name columns a device lacks (another device runs a newer
 * app version that added them).</em> The device writes the columns it has, keeps the values of the others here,
 * per row and column, and writes them into the row once an upgrade adds the column ({@link #fill}, run when the
 * triggers are regenerated). Nothing is parked for it, edits of the old columns keep applying, and the device keeps
 * sending its own edits, which name only its own columns: a column missing from an image means unchanged, never
 * NULL, everywhere.
 */
final class MissingColumns {
    private static final Logger LOG = LoggerFactory.getLogger(MissingColumns.class);

    private final StatementCache statements;
    /** Whether the table may hold values; read once, then kept by this instance's own writes. */
    private Boolean any;

    MissingColumns(StatementCache statements) {
        this.statements = requireNonNull(statements, "statements is null");
    }

    /** Keeps the value of {@code column} (missing from {@code table}) for the row {@code globalId}, replacing an older one. */
    void keep(String table, String globalId, String column, Object value) throws SQLException {
        statements.update("INSERT OR REPLACE INTO " + SystemTables.MISSING_COLUMNS + " (tbl, gid, col, value) VALUES (?, ?, ?, ?)",
                table, globalId, column, value);
        any = true;
    }

    /**
     * {@code image} (JSON, as the triggers read it) with the values kept for the row's missing columns added: a change
     * this device makes carries the whole row as far as it knows it. Otherwise an old app version's edit of a row
     * another device had deleted would resurrect it on the server without those values (the server completes a
     * partial image only from a live row), while this device wrote them in at its upgrade: the two would differ.
     *
     * @return {@code image}, or a new image with the kept values
     */
    String withKept(String table, String globalId, String image) throws SQLException {
        if (any == null) {
            any = statements.queryLong("SELECT EXISTS (SELECT 1 FROM " + SystemTables.MISSING_COLUMNS + ")") != 0;
        }
        if (!any) {
            return image;
        }
        Map<String, Object> row = null;
        PreparedStatement read = statements.get("SELECT col, value FROM " + SystemTables.MISSING_COLUMNS + " WHERE tbl = ? AND gid = ?");
        read.setString(1, table);
        read.setString(2, globalId);
        try (ResultSet rs = read.executeQuery()) {
            while (rs.next()) {
                if (row == null) {
                    row = new java.util.LinkedHashMap<>(RowImages.parse(image));
                }
                Object value = rs.getObject(2);
                row.putIfAbsent(rs.getString(1), value instanceof Integer i ? Long.valueOf(i) : value);
            }
        }
        return row == null ? image : RowImages.toJson(row);
    }

    /** Whether anything is kept for any row (cheap: normally nothing is; read once per instance). */
    boolean any() throws SQLException {
        if (any == null) {
            any = statements.queryLong("SELECT EXISTS (SELECT 1 FROM " + SystemTables.MISSING_COLUMNS + ")") != 0;
        }
        return any;
    }

    /**
     * Forgets what is kept for the row of local change {@code localSeq} in columns that change's image does not name:
     * call when the server acknowledged that change as the row's newest state without a {@code winner}, which means it
     * stored exactly that image, the whole row. A value kept after the image was sealed (a remote state the server
     * ordered before this change, e.g. before a delete this change then undid) is not on the server, so it must not be
     * written in at this device's upgrade either. Nothing is forgotten while a later change of the row is pending.
     */
    void dropAbsent(String table, String globalId, long localSeq) throws SQLException {
        if (!any() || statements.queryLong("SELECT EXISTS (SELECT 1 FROM " + SystemTables.MISSING_COLUMNS
                + " WHERE tbl = ? AND gid = ?)", table, globalId) == 0) {
            return;
        }
        String image = statements.queryString("SELECT row_json FROM " + SystemTables.CHANGES + " WHERE seq = ?", localSeq);
        if (image == null || statements.queryLong("SELECT EXISTS (SELECT 1 FROM " + SystemTables.CHANGES + " WHERE state = 'pending'"
                + " AND seq > ? AND tbl = ? AND gid = ?)", localSeq, table, globalId) != 0) {
            return; // a later change of the row, pending, carries what was kept when it was sealed: its ACK decides
        }
        Map<String, Object> row = RowImages.parse(image);
        PreparedStatement read = statements.get("SELECT col FROM " + SystemTables.MISSING_COLUMNS + " WHERE tbl = ? AND gid = ?");
        read.setString(1, table);
        read.setString(2, globalId);
        java.util.List<String> absent = new java.util.ArrayList<>();
        try (ResultSet rs = read.executeQuery()) {
            while (rs.next()) {
                if (!row.containsKey(rs.getString(1))) {
                    absent.add(rs.getString(1));
                }
            }
        }
        for (String column : absent) {
            statements.update("DELETE FROM " + SystemTables.MISSING_COLUMNS + " WHERE tbl = ? AND gid = ? AND col = ?", table,
                    globalId, column);
        }
    }

    /** Forgets what is kept for a row (it was deleted). */
    void forget(String table, String globalId) throws SQLException {
        if (any == null) {
            any = statements.queryLong("SELECT EXISTS (SELECT 1 FROM " + SystemTables.MISSING_COLUMNS + ")") != 0;
        }
        if (any) {
            statements.update("DELETE FROM " + SystemTables.MISSING_COLUMNS + " WHERE tbl = ? AND gid = ?", table, globalId);
        }
    }

    /**
     * Writes the kept values of columns {@code schema} now has into their rows, and forgets them. Call inside a write
     * transaction; the writes are not captured (they came from other devices, which have them).
     *
     * @return the number of values written
     */
    static int fill(Connection c, TableSchema schema) throws SQLException {
        if (Sql.queryLong(c, "SELECT EXISTS (SELECT 1 FROM " + SystemTables.MISSING_COLUMNS + " WHERE tbl = ?)", schema.name()) == 0) {
            return 0;
        }
        int written = 0;
        Sql.update(c, "INSERT OR IGNORE INTO " + SystemTables.APPLYING + " (id) VALUES (1)");
        try {
            for (TableSchema.Column column : schema.columns()) {
                String table = quoteSql(schema.name());
                // Only where the column still holds its default: a value the app wrote there after its upgrade and
                // before this regeneration is newer than what was kept, and AddedColumns has queued it as a change.
                int n = Sql.update(c, "UPDATE " + table + " SET " + quoteSql(column.name()) + " = (SELECT m.value FROM "
                        + SystemTables.MISSING_COLUMNS + " m WHERE m.tbl = ?1 AND m.col = ?2 AND m.gid = " + table + "."
                        + SystemTables.GLOBAL_ID + ") WHERE " + SystemTables.GLOBAL_ID + " IN (SELECT gid FROM "
                        + SystemTables.MISSING_COLUMNS + " WHERE tbl = ?1 AND col = ?2) AND " + quoteSql(column.name()) + " IS ?3",
                        schema.name(), column.name(), column.defaultValue());
                Sql.update(c, "DELETE FROM " + SystemTables.MISSING_COLUMNS + " WHERE tbl = ? AND col = ?", schema.name(), column.name());
                written += n;
            }
        }
        finally {
            Sql.update(c, "DELETE FROM " + SystemTables.APPLYING);
        }
        if (written > 0) {
            LOG.info("table {}: {} values received before its upgrade written into the columns it gained", schema.name(), written);
        }
        return written;
    }

    /**
     * The values of {@code row} for columns {@code schema} lacks, kept; returns the row without them. What was kept
     * for the row before goes first: an image from the server is the whole row (the server completes partial images,
     * see protocol.md 2.1), so a column it lacks has no value, e.g. because the row was deleted and created again
     * since (a catch-up page shows only the new row).
     */
    Map<String, Object> keepMissing(TableSchema schema, String globalId, Map<String, Object> row) throws SQLException {
        forget(schema.name(), globalId);
        Map<String, Object> known = null;
        for (Map.Entry<String, Object> entry : row.entrySet()) {
            if (!schema.hasColumn(entry.getKey())) {
                if (known == null) {
                    known = new java.util.LinkedHashMap<>(row);
                }
                known.remove(entry.getKey());
                keep(schema.name(), globalId, entry.getKey(), entry.getValue());
            }
        }
        return known == null ? row : known;
    }
}
