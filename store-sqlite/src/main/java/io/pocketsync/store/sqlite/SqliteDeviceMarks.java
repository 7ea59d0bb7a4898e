package io.pocketsync.store.sqlite;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.BatchOutcome;
import io.pocketsync.api.store.DeviceMarks;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * The devices' marks ({@link io.pocketsync.api.store.ServerStore#deviceMark}) in table {@code ps_device_marks}: one
 * row per device and scope, raised in the batch's own transaction, so a mark is never behind a committed batch.
 * A table of its own that older versions of the store ignore: the layout version does not change.
 */
final class SqliteDeviceMarks {
    /** Created with the other tables ({@link SqliteSchema}). */
    static final String DDL = """
            CREATE TABLE IF NOT EXISTS ps_device_marks (
              scope TEXT NOT NULL,
              device TEXT NOT NULL,
              mark INTEGER NOT NULL,
              PRIMARY KEY (scope, device)
            ) WITHOUT ROWID""";

    private SqliteDeviceMarks() {}

    /** Raises the marks of the batch's devices; call in the batch's transaction, with the outcome it will return. */
    static void raise(SqliteConnection writer, Scope scope, List<Change> changes, BatchOutcome outcome) throws SQLException {
        Map<String, Long> marks = DeviceMarks.of(changes, outcome);
        if (marks.isEmpty()) {
            return;
        }
        PreparedStatement upsert = writer.prepared("INSERT INTO ps_device_marks (scope, device, mark) VALUES (?, ?, ?) "
                + "ON CONFLICT (scope, device) DO UPDATE SET mark = max(mark, excluded.mark)");
        for (Map.Entry<String, Long> mark : marks.entrySet()) {
            upsert.setString(1, scope.name());
            upsert.setString(2, mark.getKey());
            upsert.setLong(3, mark.getValue());
            upsert.executeUpdate();
        }
    }

    /** The mark of one device, 0 when it has none. */
    static long read(SqliteConnection connection, Scope scope, String deviceId) throws SQLException {
        PreparedStatement select = connection.prepared("SELECT mark FROM ps_device_marks WHERE scope = ? AND device = ?");
        select.setString(1, scope.name());
        select.setString(2, deviceId);
        try (ResultSet rs = select.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }
}
