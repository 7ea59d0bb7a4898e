package io.pocketsync.device.capture;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The device state of each scope of a device that syncs several (docs/protocol.md 3.9). The state row
 * ({@code __pocketsync_device_state}, {@code id = 1}) holds the state of the <em>active</em> scope (its cursor, last
 * sync, resync flag, own mark, repair mark, subscribed flag and table catch-up cursor and mark, next to what is the device's: id, clock, fingerprint);
 * the others are parked in {@code __pocketsync_scope_state}, one row each. Before a scope's view reads or writes
 * anything the scope is made active: the active one is parked and the other loaded. So every part of the capture keeps
 * reading the one state row, and a file that synced one scope before is that scope's state as it is.
 *
 * <p>Each table is bound to one scope ({@code __pocketsync_table_scope}); while a scope is active, the tables bound to
 * the others are listed in the connection's temporary table {@link #OTHERS}, and what concerns one scope's history
 * (pending changes, acknowledged server sequences, row sequences, deferred changes, resync rows, subscribed and joining
 * tables)
 * leaves them out with {@link #NOT_OTHERS}. A device of one scope leaves that table empty: nothing is left out. Not
 * thread-safe (the capture is synchronized).
 */
final class ScopeStates {
    /** The tables bound to the scopes that are not active (a temporary table of the engine's connection). */
    static final String OTHERS = "temp.__pocketsync_others";
    /** A condition on a {@code tbl} column: the row is not another scope's. */
    static final String NOT_OTHERS = "tbl NOT IN (SELECT tbl FROM " + OTHERS + ")";
    /** The state row's columns that belong to a scope's history. */
    private static final String[] COLUMNS = {"cursor", "last_sync_ms", "resync", "own_mark", "repair", "subscribed",
        "join_cursor", "join_mark"};

    /** Table to scope, for the tables of every view made since the capture opened. */
    private final Map<String, String> bound = new HashMap<>();
    /** The scope whose state the state row holds and whose others are listed; null before the first activation. */
    private @Nullable String active;
    /** The scope a file that synced before scopes were bound synced in (read once, at the first bind). */
    private @Nullable String legacy;
    private boolean legacyRead;

    /** Creates the connection's temporary table; once per connection. */
    static void createTemporary(Connection c) throws SQLException {
        Sql.execute(c, "CREATE TEMP TABLE IF NOT EXISTS __pocketsync_others (tbl TEXT PRIMARY KEY) WITHOUT ROWID");
    }

    /**
     * Binds {@code tables} to {@code scope}, for good; in a transaction. A table that synced in another scope is
     * refused: its rows, row sequences and acknowledged changes belong to that scope's history. A file from before
     * bindings counts its subscribed tables as bound to the scope it synced.
     *
     * @throws PocketSyncException {@code CONFIG_INVALID} when a table is bound to another scope
     */
    void bind(Connection c, String scope, List<String> tables) throws SQLException {
        if (!legacyRead) {
            legacyRead = true;
            legacy = Sql.queryLong(c, "SELECT count(*) FROM " + SystemTables.TABLE_SCOPE) == 0
                    ? CaptureSchemas.stateString(c, "scope") : null;
        }
        for (String table : tables) {
            String was = boundTo(c, table);
            if (was == null && legacy != null && Sql.queryLong(c, "SELECT count(*) FROM " + SystemTables.SUBSCRIBED
                    + " WHERE tbl = ?", table) > 0) {
                was = legacy;
            }
            String other = bound.get(table);
            if ((was != null && !was.equals(scope)) || (other != null && !other.equals(scope))) {
                throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "table " + table + " syncs in scope "
                        + (other != null ? other : was) + " and cannot be bound to scope " + scope + " too: a table belongs"
                        + " to one scope (its rows and cursor are that scope's history); sync it in a new database file to move it");
            }
            Sql.update(c, "INSERT OR REPLACE INTO " + SystemTables.TABLE_SCOPE + " (tbl, scope) VALUES (?, ?)", table, scope);
            bound.put(table, scope);
        }
        active = null; // the others changed
    }

    /** Whether {@code table} is bound to a scope that is not the active one. */
    boolean isOther(String table) {
        String scope = bound.get(table);
        return scope != null && active != null && !scope.equals(active);
    }

    /** Whether {@code scope} is the active one already (nothing to do). */
    boolean isActive(String scope) {
        return scope.equals(active);
    }

    /** Makes {@code scope} the active one: its state in the state row, the others' tables listed; in a transaction. */
    void activate(Connection c, String scope) throws SQLException {
        String current = CaptureSchemas.stateString(c, "scope");
        if (!scope.equals(current)) {
            if (current != null) {
                park(c);
            }
            load(c, scope);
        }
        Sql.execute(c, "DELETE FROM " + OTHERS);
        Set<String> others = new TreeSet<>();
        bound.forEach((table, owner) -> {
            if (!owner.equals(scope)) {
                others.add(table);
            }
        });
        for (String table : others) {
            Sql.update(c, "INSERT INTO " + OTHERS + " (tbl) VALUES (?)", table);
        }
        active = scope;
    }

    /**
     * A device of one scope that synced {@code scope} before as one of several: its parked state is loaded; in a
     * transaction.
     *
     * @return false when no state of {@code scope} is parked
     */
    static boolean resume(Connection c, String scope) throws SQLException {
        if (Sql.queryLong(c, "SELECT count(*) FROM " + SystemTables.SCOPE_STATE + " WHERE scope = ?", scope) == 0) {
            return false;
        }
        if (CaptureSchemas.stateString(c, "scope") != null) {
            park(c);
        }
        load(c, scope);
        return true;
    }

    private static void park(Connection c) throws SQLException {
        String columns = String.join(", ", COLUMNS);
        Sql.execute(c, "INSERT OR REPLACE INTO " + SystemTables.SCOPE_STATE + " (scope, " + columns + ") SELECT scope, "
                + columns + " FROM " + SystemTables.DEVICE_STATE + " WHERE id = 1");
    }

    /** Loads the parked state of {@code scope}, or a fresh one (cursor 0) when it never synced. */
    private static void load(Connection c, String scope) throws SQLException {
        StringBuilder sql = new StringBuilder("UPDATE " + SystemTables.DEVICE_STATE + " SET scope = ?1");
        for (String column : COLUMNS) {
            sql.append(", ").append(column).append(" = coalesce((SELECT ").append(column).append(" FROM ")
                    .append(SystemTables.SCOPE_STATE).append(" WHERE scope = ?1), 0)");
        }
        Sql.update(c, sql.append(" WHERE id = 1").toString(), scope);
    }

    private static @Nullable String boundTo(Connection c, String table) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT scope FROM " + SystemTables.TABLE_SCOPE + " WHERE tbl = ?")) {
            select.setString(1, table);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
