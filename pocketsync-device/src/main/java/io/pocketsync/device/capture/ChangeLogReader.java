package io.pocketsync.device.capture;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.capture.DeviceState;
import io.pocketsync.api.capture.LocalChange;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads the change log and the device state for {@link SqliteTriggerCapture}; writes nothing. */
final class ChangeLogReader {
    private ChangeLogReader() {}

    /**
     * Pending changes after local sequence {@code after}, oldest first, at most {@code limit}, each with its table's
     * unique keys ({@link TableSchema#uniqueKeys()}) as the schema is now.
     */
    static List<LocalChange> pending(StatementCache statements, long after, int limit, String deviceId,
            Map<String, TableSchema> schemas) throws SQLException {
        // prepared once: this runs after every local commit
        PreparedStatement statement = statements.get("SELECT seq, change_id, tbl, gid, op, row_json, cols_json, hlc FROM "
                + SystemTables.CHANGES + " WHERE state = 'pending' AND seq > ? AND " + ScopeStates.NOT_OTHERS + " ORDER BY seq LIMIT ?");
        statement.setLong(1, after);
        statement.setInt(2, limit);
        List<LocalChange> out = new ArrayList<>();
        try (ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
                TableSchema schema = schemas.get(rs.getString(3));
                Change change = new Change(rs.getString(2), rs.getString(3), rs.getString(4), Op.valueOf(rs.getString(5)),
                        RowImages.parse(rs.getString(6)), RowImages.parseColumns(rs.getString(7)), new Hlc(rs.getLong(8)), deviceId,
                        schema == null ? List.of() : schema.uniqueKeys());
                out.add(new LocalChange(rs.getLong(1), change));
            }
        }
        return out;
    }

    /** The persistent device state. */
    static DeviceState state(Connection c) throws SQLException {
        try (PreparedStatement statement = c.prepareStatement("SELECT device_id, scope, cursor, " + SystemTables.DEVICE_CLOCK
                + ", resync, last_sync_ms FROM " + SystemTables.DEVICE_STATE + " WHERE id = 1");
             ResultSet rs = statement.executeQuery()) {
            if (!rs.next()) {
                throw new PocketSyncException(ErrorCode.SCHEMA_INVALID, "capture is not installed");
            }
            long lastSync = rs.getLong(6);
            return new DeviceState(rs.getString(1), rs.getString(2), rs.getLong(3), new Hlc(rs.getLong(4)), rs.getInt(5) != 0,
                    lastSync == 0 ? null : Instant.ofEpochMilli(lastSync));
        }
    }
}
