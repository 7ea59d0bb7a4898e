package io.pocketsync.device.capture;

import io.pocketsync.api.capture.TableCatchUp;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device's state of a table catch-up (docs/protocol.md 3.8, "Tracking another table later"): the tables tracked since
 * the last HELLO of a device that had synced ({@code __pocketsync_joining}), the cursor their own pages reached
 * ({@code join_cursor}) and the highest cursor any such page reached ({@code join_mark}), all in the scope's state, so a
 * restart or a kill resumes where the last applied page ended.
 *
 * <p>The main cursor goes on meanwhile, and its LIVE and catch-up carry the joining tables' changes from the HELLO on;
 * the row sequences order both streams (a page's older state of a row a LIVE brought is skipped). One thing the main
 * stream would miss: a row the table catch-up brought that was created after the main cursor and is deleted before the
 * main cursor reaches it, which a catch-up from the main cursor leaves out as "born and died after the cursor". So while
 * {@code join_mark} is above the main cursor, main PULLs say {@code own} = cursor + 1 and get every such tombstone as a
 * DELETE ({@link RemoteApplier#ownChangesFrom}). Stateless; runs in the caller's transaction.
 */
final class TableJoin {
    private static final Logger LOG = LoggerFactory.getLogger(TableJoin.class);

    private TableJoin() {}

    /** {@code added} start joining; tables joining already start again from 0 with them (one cursor for all). */
    static void start(Connection c, List<String> added) throws SQLException {
        List<String> before = joining(c);
        for (String table : added) {
            Sql.update(c, "INSERT OR IGNORE INTO " + SystemTables.JOINING + " (tbl) VALUES (?)", table);
        }
        Sql.update(c, "UPDATE " + SystemTables.DEVICE_STATE + " SET join_cursor = 0 WHERE id = 1");
        long cursor = Sql.queryLong(c, "SELECT cursor FROM " + SystemTables.DEVICE_STATE + " WHERE id = 1");
        LOG.info("now tracking {}, which the server never sent below cursor {}: a table catch-up brings their current state"
                + " in pages{}", added, cursor, before.isEmpty() ? "" : " (with " + before + ", joining already, again from 0)");
    }

    /** The joining tables are subscribed at the main cursor: their catch-up ended, or a full resync brings them. */
    static void subscribeJoining(Connection c) throws SQLException {
        Sql.update(c, "INSERT OR IGNORE INTO " + SystemTables.SUBSCRIBED + " (tbl) SELECT tbl FROM " + SystemTables.JOINING
                + " WHERE " + ScopeStates.NOT_OTHERS);
        Sql.update(c, "DELETE FROM " + SystemTables.JOINING + " WHERE " + ScopeStates.NOT_OTHERS);
        Sql.update(c, "UPDATE " + SystemTables.DEVICE_STATE + " SET join_cursor = 0 WHERE id = 1");
    }

    /**
     * A full resync started: it brings every subscribed table, the joining ones too, and every row again, so the table
     * catch-up ends and its mark is void.
     */
    static void resyncStarted(Connection c) throws SQLException {
        subscribeJoining(c);
        Sql.update(c, "UPDATE " + SystemTables.DEVICE_STATE + " SET join_mark = 0 WHERE id = 1");
    }

    /** No table joins any more (the last one is no longer tracked): the cursor of the catch-up is void. */
    static void endIfEmpty(Connection c) throws SQLException {
        if (joining(c).isEmpty()) {
            Sql.update(c, "UPDATE " + SystemTables.DEVICE_STATE + " SET join_cursor = 0 WHERE id = 1");
        }
    }

    /** The table catch-up in progress, or null. */
    static @Nullable TableCatchUp state(Connection c) throws SQLException {
        List<String> tables = joining(c);
        if (tables.isEmpty()) {
            return null;
        }
        return new TableCatchUp(tables, Sql.queryLong(c, "SELECT join_cursor FROM " + SystemTables.DEVICE_STATE + " WHERE id = 1"));
    }

    /**
     * Whether a page of {@code tables} from {@code fromCursor} belongs to the table catch-up in progress: the same tables,
     * starting at its cursor, or at 0 (the server started it again: the device's cursor was above its head).
     */
    static boolean admits(Connection c, List<String> tables, long fromCursor) throws SQLException {
        TableCatchUp state = state(c);
        return state != null && new TreeSet<>(state.tables()).equals(new TreeSet<>(tables))
                && (fromCursor == state.cursor() || fromCursor == 0);
    }

    /** A page was applied: its cursor is stored, and the last page subscribes the tables. */
    static void pageApplied(Connection c, long toCursor, boolean lastPage) throws SQLException {
        Sql.update(c, "UPDATE " + SystemTables.DEVICE_STATE + " SET join_cursor = ?, join_mark = max(join_mark, ?) WHERE id = 1",
                toCursor, toCursor);
        if (lastPage) {
            List<String> tables = joining(c);
            subscribeJoining(c);
            LOG.info("table catch-up of {} done at {}: subscribed at the main cursor", tables, toCursor);
        }
    }

    /** Whether a table catch-up page reached above {@code cursor}: see the class comment. */
    static boolean markAbove(StatementCache statements, long cursor) throws SQLException {
        return statements.queryLong("SELECT join_mark > ? FROM " + SystemTables.DEVICE_STATE + " WHERE id = 1", cursor) != 0;
    }

    private static List<String> joining(Connection c) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement("SELECT tbl FROM " + SystemTables.JOINING + " WHERE "
                + ScopeStates.NOT_OTHERS + " ORDER BY tbl");
                ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        return tables;
    }
}
