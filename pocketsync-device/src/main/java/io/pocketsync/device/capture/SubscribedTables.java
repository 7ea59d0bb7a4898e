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
 * table tracked since the last HELLO has none of its history below the cursor here: the device then pulls the full
 * state again (a full resync, protocol.md 3.6), which brings the new table's rows in pages. A table no longer
 * tracked is forgotten, so tracking it again later resyncs too. Not thread-safe (the capture is synchronized).
 */
final class SubscribedTables {
    private static final Logger LOG = LoggerFactory.getLogger(SubscribedTables.class);

    private SubscribedTables() {}

    /**
     * Records {@code tracked} as subscribed and says which of them the device lacks. The first call on a database
     * (nothing recorded yet) lacks none: a device that never synced gets every tracked table from cursor 0, and one
     * that synced before subscriptions existed got every table.
     *
     * @return the tracked tables the device never received at its cursor, sorted; empty when none
     */
    static List<String> reconcile(Connection c, Collection<String> tracked) throws SQLException {
        Set<String> recorded = new TreeSet<>();
        try (PreparedStatement select = c.prepareStatement("SELECT tbl FROM " + SystemTables.SUBSCRIBED + " WHERE "
                + ScopeStates.NOT_OTHERS);
                ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                recorded.add(rs.getString(1));
            }
        }
        boolean first = Sql.queryLong(c, "SELECT subscribed FROM " + SystemTables.DEVICE_STATE + " WHERE id = 1") == 0;
        List<String> added = new ArrayList<>();
        for (String table : new TreeSet<>(tracked)) {
            if (!recorded.remove(table)) {
                added.add(table);
                Sql.update(c, "INSERT INTO " + SystemTables.SUBSCRIBED + " (tbl) VALUES (?)", table);
            }
        }
        for (String dropped : recorded) {
            Sql.update(c, "DELETE FROM " + SystemTables.SUBSCRIBED + " WHERE tbl = ?", dropped);
            LOG.info("table {} is no longer tracked: the server stops sending it", dropped);
        }
        Sql.update(c, "UPDATE " + SystemTables.DEVICE_STATE + " SET subscribed = 1 WHERE id = 1");
        long cursor = Sql.queryLong(c, "SELECT cursor FROM " + SystemTables.DEVICE_STATE + " WHERE id = 1");
        if (first || cursor == 0 || added.isEmpty()) {
            return List.of();
        }
        LOG.info("now tracking {}, which the server never sent below cursor {}: pulling the full state", added, cursor);
        return added;
    }
}
