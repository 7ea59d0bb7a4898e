package io.pocketsync.device.capture;

import static io.pocketsync.api.Identifiers.quoteSql;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * The app rows one sealing round of {@link JournalSealer} names, each table's read in one query: new rows by the rowid
 * the trigger saw, the others by id.
 */
final class SealingReads {
    /** A row read for sealing: its id (null for a new row) and image. */
    record RowImage(String gid, String image) {}

    private SealingReads() {}

    /** The id and image of every row of {@code schema} a journal row up to {@code lastId} names by rowid only. */
    static Map<Long, RowImage> newRows(StatementCache statements, TableSchema schema, long lastId) {
        String sql = "SELECT rowid, " + SystemTables.GLOBAL_ID + ", " + TriggerGenerator.image(schema, "") + " FROM "
                + quoteSql(schema.name()) + " WHERE rowid IN (SELECT rid FROM " + SystemTables.JOURNAL
                + " WHERE tbl = ? AND gid IS NULL AND id <= ?)";
        Map<Long, RowImage> rows = new HashMap<>();
        try {
            PreparedStatement read = statements.get(sql);
            Sql.bind(read, schema.name(), lastId);
            try (ResultSet rs = read.executeQuery()) {
                while (rs.next()) {
                    rows.put(rs.getLong(1), new RowImage(rs.getString(2), rs.getString(3)));
                }
            }
            return rows;
        }
        catch (SQLException e) {
            throw Sql.failure("reading new rows of " + schema.name() + " failed", e);
        }
    }

    /** The image of every row of {@code schema} a journal row up to {@code lastId} names by id. */
    static Map<String, String> rowsById(StatementCache statements, TableSchema schema, long lastId) {
        String sql = "SELECT " + SystemTables.GLOBAL_ID + ", " + TriggerGenerator.image(schema, "") + " FROM "
                + quoteSql(schema.name()) + " WHERE " + SystemTables.GLOBAL_ID + " IN (SELECT gid FROM " + SystemTables.JOURNAL
                + " WHERE tbl = ? AND gid IS NOT NULL AND id <= ?)";
        Map<String, String> rows = new HashMap<>();
        try {
            PreparedStatement read = statements.get(sql);
            Sql.bind(read, schema.name(), lastId);
            try (ResultSet rs = read.executeQuery()) {
                while (rs.next()) {
                    rows.put(rs.getString(1), rs.getString(2));
                }
            }
            return rows;
        }
        catch (SQLException e) {
            throw Sql.failure("reading changed rows of " + schema.name() + " failed", e);
        }
    }
}
