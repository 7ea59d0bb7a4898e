package io.pocketsync.device.capture;

import io.pocketsync.api.capture.DeviceState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The plain reads of a {@link SqliteTriggerCapture}'s state (counters, versions, counts), each failure reported as
 * one {@link Sql#failure}. Stateless; called only under the capture's lock, on its connection.
 */
final class CaptureReads {
    private CaptureReads() {
    }

    static long changeCounter(Connection c) {
        try {
            return Sql.queryLong(c, "PRAGMA data_version");
        }
        catch (SQLException e) {
            throw Sql.failure("data_version failed", e);
        }
    }

    static Map<String, Long> tableVersions(Connection c) {
        Map<String, Long> versions = new LinkedHashMap<>();
        // A write counts once it is journaled: sealing moves it from the journal count to the version in one
        // transaction, so the sum does not move and nothing needs sealing here.
        try (PreparedStatement statement = c.prepareStatement("SELECT v.tbl, v.version + coalesce(j.writes, 0) FROM "
                + SystemTables.VERSION + " v LEFT JOIN (SELECT tbl, count(*) AS writes FROM " + SystemTables.JOURNAL
                + " GROUP BY tbl) j ON j.tbl = v.tbl");
                ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
                versions.put(rs.getString(1), rs.getLong(2));
            }
            return versions;
        }
        catch (SQLException e) {
            throw Sql.failure("reading table versions failed", e);
        }
    }

    static long pendingCount(Connection c) {
        try {
            return Sql.queryLong(c, "SELECT count(*) FROM " + SystemTables.CHANGES + " WHERE state = 'pending' AND " + ScopeStates.NOT_OTHERS);
        }
        catch (SQLException e) {
            throw Sql.failure("counting pending changes failed", e);
        }
    }

    /**
     * Journaled writes not sealed yet (an UPDATE of a row counts again, so an estimate of changes to come); clock-merge
     * markers are not writes.
     */
    static long journalCount(Connection c) {
        try {
            return Sql.queryLong(c, "SELECT count(*) FROM " + SystemTables.JOURNAL + " WHERE op != " + JournalSealer.OP_CLOCK
                    + " AND " + ScopeStates.NOT_OTHERS);
        }
        catch (SQLException e) {
            throw Sql.failure("counting journaled writes failed", e);
        }
    }

    static long parkedCount(Connection c) {
        try {
            return Sql.queryLong(c, "SELECT count(*) FROM " + SystemTables.DEAD_LETTER + " WHERE coalesce(tbl, '') NOT IN (SELECT tbl FROM "
                    + ScopeStates.OTHERS + ")");
        }
        catch (SQLException e) {
            throw Sql.failure("counting parked changes failed", e);
        }
    }

    static DeviceState state(Connection c) {
        try {
            return ChangeLogReader.state(c);
        }
        catch (SQLException e) {
            throw Sql.failure("reading device state failed", e);
        }
    }
}
