package io.pocketsync.examples.fleet;

import io.pocketsync.device.PocketSyncDevice;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The dashboard: another device of the fleet's scope, on WebSocket. Every sensor's readings land in
 * its own SQLite file, where it can query them with plain SQL, online or not.
 *
 * <p>Not thread-safe, except {@link #received()}.
 */
final class Dashboard implements AutoCloseable {
    private final Connection database;
    private final PocketSyncDevice sync;
    private final AtomicLong received = new AtomicLong();

    Dashboard(Path file, URI server, String scope, String token, PrintStream out) throws SQLException {
        this.database = Readings.open(file);
        this.sync = PocketSyncDevice.builder()
                .database(file)
                .tables("readings")
                .scope(scope)
                .token(token)
                .server(server)
                .transport("websocket")
                .build();
        // Re-run after every commit that touched "readings"; print when the rows came from the fleet.
        sync.watchQuery("SELECT count(*) AS n FROM readings", List.of(), (rows, remote) -> {
            long count = (Long) rows.get(0).get("n");
            received.set(count);
            if (remote) {
                out.println("[dashboard] " + count + " readings");
            }
        });
        sync.start();
    }

    /** Readings in the dashboard's database, as last seen by its watch. */
    long received() {
        return received.get();
    }

    /** Ids of every reading the dashboard holds. */
    List<String> readingIds() throws SQLException {
        List<String> ids = new ArrayList<>();
        try (Statement statement = database.createStatement();
                ResultSet rows = statement.executeQuery("SELECT id FROM readings ORDER BY id")) {
            while (rows.next()) {
                ids.add(rows.getString(1));
            }
        }
        return ids;
    }

    /** One line per sensor, by name. */
    List<SensorSummary> summary() throws SQLException {
        List<SensorSummary> summary = new ArrayList<>();
        try (Statement statement = database.createStatement();
                ResultSet rows = statement.executeQuery("SELECT sensor, count(*), min(celsius), max(celsius), avg(celsius)"
                        + " FROM readings GROUP BY sensor ORDER BY sensor")) {
            while (rows.next()) {
                summary.add(new SensorSummary(rows.getString(1), rows.getLong(2), rows.getDouble(3), rows.getDouble(4),
                        rows.getDouble(5)));
            }
        }
        return summary;
    }

    @Override
    public void close() throws SQLException {
        sync.close();
        database.close();
    }
}
