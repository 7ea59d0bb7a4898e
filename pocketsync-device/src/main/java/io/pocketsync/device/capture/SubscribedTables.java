package io.pocketsync.device.capture;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tables this device has received at its cursor ({@code __pocketsync_subscribed}), against the tables it tracks
 * now (docs/protocol.md, "Table subscriptions"). The server sends a session only the tables its HELLO names, so a
 * table tracked since the last HELLO has none of its history below the cursor here: it joins through a table catch-up
 * of its own ({@link TableJoin}), which brings its current state in pages and then adds it to the subscribed set.
 *
 * <p>A table no longer tracked is forgotten and remembered as untracked ({@code __pocketsync_untracked}): its rows stay
 * in the file, and the server may delete some of them while the device does not listen. A table catch-up only brings
 * rows the server has, so tracking such a table again starts a full resync instead (protocol.md 3.6), whose last page
 * removes the synced rows the server no longer has. Not thread-safe (the capture is synchronized).
 */
final class SubscribedTables {
    private static final Logger LOG = LoggerFactory.getLogger(SubscribedTables.class);

    private SubscribedTables() {}

    /**
     * Records {@code tracked} against the subscribed and joining tables and says which tables start joining now. The first
     * call on a database (nothing recorded yet) joins none: a device that never synced gets every tracked table from
     * cursor 0, and one that synced before subscriptions existed got every table. Nor does a device at cursor 0 or in a
     * full resync, whose catch-up from 0 or snapshot brings every table it subscribes to: it subscribes to them at once,
     * and so to the tables joining before.
     *
     * <p>A tracked table the device received before and then stopped tracking starts a full resync (see the class
     * comment), which brings every tracked table, so none joins.
     *
     * @return the tracked tables that start joining (a table catch-up from 0), sorted; empty when none
     */
    static List<String> reconcile(Connection c, Collection<String> tracked) throws SQLException {
        Set<String> recorded = tables(c, SystemTables.SUBSCRIBED);
        Set<String> joining = tables(c, SystemTables.JOINING);
        boolean first = Sql.queryLong(c, "SELECT subscribed FROM " + SystemTables.DEVICE_STATE + " WHERE id = 1") == 0;
        boolean fromScratch = Sql.queryLong(c, "SELECT cursor = 0 OR resync != 0 FROM " + SystemTables.DEVICE_STATE
                + " WHERE id = 1") != 0;
        List<String> added = new ArrayList<>();
        for (String table : new TreeSet<>(tracked)) {
            if (!recorded.remove(table) && !joining.remove(table)) {
                added.add(table);
            }
        }
        for (String dropped : recorded) {
            Sql.update(c, "DELETE FROM " + SystemTables.SUBSCRIBED + " WHERE tbl = ?", dropped);
            untracked(c, dropped);
            LOG.info("table {} is no longer tracked: the server stops sending it", dropped);
        }
        for (String dropped : joining) {
            Sql.update(c, "DELETE FROM " + SystemTables.JOINING + " WHERE tbl = ?", dropped);
            untracked(c, dropped); // its pages may have brought rows already
            LOG.info("table {} is no longer tracked: its table catch-up stops", dropped);
        }
        List<String> returning = new ArrayList<>(added);
        returning.retainAll(tables(c, SystemTables.UNTRACKED));
        for (String table : returning) {
            Sql.update(c, "DELETE FROM " + SystemTables.UNTRACKED + " WHERE tbl = ?", table);
        }
        Sql.update(c, "UPDATE " + SystemTables.DEVICE_STATE + " SET subscribed = 1 WHERE id = 1");
        if (!returning.isEmpty() && !fromScratch) {
            LOG.info("table(s) {} tracked again: the server may have deleted rows of them meanwhile, so a full resync brings"
                    + " every tracked table and removes the rows the server no longer has", returning);
            OwnRowsRepair.resync(c);
        }
        if (first || fromScratch || !returning.isEmpty()) {
            for (String table : added) {
                Sql.update(c, "INSERT INTO " + SystemTables.SUBSCRIBED + " (tbl) VALUES (?)", table);
            }
            TableJoin.subscribeJoining(c); // a catch-up from 0 or a snapshot brings them
            return List.of();
        }
        if (added.isEmpty()) {
            TableJoin.endIfEmpty(c);
            return List.of();
        }
        TableJoin.start(c, added);
        return added;
    }

    private static void untracked(Connection c, String table) throws SQLException {
        Sql.update(c, "INSERT OR IGNORE INTO " + SystemTables.UNTRACKED + " (tbl) VALUES (?)", table);
    }

    private static Set<String> tables(Connection c, String systemTable) throws SQLException {
        Set<String> tables = new TreeSet<>();
        try (PreparedStatement select = c.prepareStatement("SELECT tbl FROM " + systemTable + " WHERE " + ScopeStates.NOT_OTHERS);
                ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        return tables;
    }
}
