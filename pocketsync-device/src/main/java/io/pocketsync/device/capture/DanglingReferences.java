package io.pocketsync.device.capture;

import static io.pocketsync.api.Identifiers.quoteSql;
import static java.util.Objects.requireNonNull;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * References declared {@code ON DELETE SET NULL} that are NULL on this device only because their parent is not here
 * ({@code __pocketsync_dangling}: row, column, the parent's id).
 *
 * <p>Such a row is written, not held (its schema says it may outlive its parent), with the reference NULL: when the
 * parent's delete is applied, and when the row arrives before or after its parent is gone. Which of the two it was
 * cannot be told apart while catching up (rows come in the order of their last change), so the parent's id is kept:
 * if the parent arrives, the reference is restored; if it never does, NULL is what its delete left on every device.
 * A later image of the row that names the column replaces what is kept. Used inside the applying transaction only.
 */
final class DanglingReferences {
    private final StatementCache statements;
    private Boolean any;

    /** A kept reference. */
    record Dangling(String table, String globalId, String column, String parentTable, String parentId) {}

    DanglingReferences(StatementCache statements) {
        this.statements = requireNonNull(statements, "statements is null");
    }

    void remember(String table, String globalId, String column, String parentTable, String parentId) throws SQLException {
        statements.update("INSERT OR REPLACE INTO " + SystemTables.DANGLING + " (tbl, gid, col, parent_tbl, parent_gid)"
                + " VALUES (?, ?, ?, ?, ?)", table, globalId, column, parentTable, parentId);
        any = true;
    }

    /** Forgets what is kept for a row (a new image of it arrived, or it was deleted). */
    void forget(String table, String globalId) throws SQLException {
        if (!isEmpty()) {
            statements.update("DELETE FROM " + SystemTables.DANGLING + " WHERE tbl = ? AND gid = ?", table, globalId);
        }
    }

    /** Restores every kept reference whose parent is here now; returns how many. */
    int restore() throws SQLException {
        if (isEmpty()) {
            return 0;
        }
        List<Dangling> all = new ArrayList<>();
        PreparedStatement read = statements.get("SELECT tbl, gid, col, parent_tbl, parent_gid FROM " + SystemTables.DANGLING);
        try (ResultSet rs = read.executeQuery()) {
            while (rs.next()) {
                all.add(new Dangling(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)));
            }
        }
        int restored = 0;
        for (Dangling d : all) {
            String parent = statements.queryString("SELECT rowid FROM " + quoteSql(d.parentTable()) + " WHERE "
                    + SystemTables.GLOBAL_ID + " = ?", d.parentId());
            if (parent != null) {
                statements.update("UPDATE " + quoteSql(d.table()) + " SET " + quoteSql(d.column()) + " = ? WHERE "
                        + SystemTables.GLOBAL_ID + " = ?", Long.parseLong(parent), d.globalId());
                statements.update("DELETE FROM " + SystemTables.DANGLING + " WHERE tbl = ? AND gid = ? AND col = ?", d.table(),
                        d.globalId(), d.column());
                restored++;
            }
        }
        any = all.size() > restored;
        return restored;
    }

    private boolean isEmpty() throws SQLException {
        if (any == null) {
            any = statements.queryLong("SELECT EXISTS (SELECT 1 FROM " + SystemTables.DANGLING + ")") != 0;
        }
        return !any;
    }
}
