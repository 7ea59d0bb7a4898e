package io.pocketsync.examples.fleet;

import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.CatchUpPage;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.device.PocketSyncDevice;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The operator's dashboard. It writes the fleet's configuration through a device of the configuration scope on
 * WebSocket, with the read-write token no sensor has; and it reads every sensor's readings where they all are: in
 * the server's store, one scope per sensor (a table belongs to one scope on a device, so no one device holds them all).
 *
 * <p>Not thread-safe.
 */
final class Dashboard implements AutoCloseable {
    private final Connection database;
    private final PocketSyncDevice sync;
    private final ServerStore store;

    Dashboard(Path file, URI server, String configScope, String configToken, ServerStore store) throws SQLException {
        this.database = Readings.open(file);
        this.store = store;
        this.sync = PocketSyncDevice.builder()
                .database(file)
                .tables("settings")
                .scope(configScope)
                .token(configToken)
                .server(server)
                .transport("websocket")
                .build();
        sync.start();
    }

    /** Sets one setting of the fleet; every sensor receives it. */
    void configure(String key, String value) throws SQLException {
        try (PreparedStatement upsert = database.prepareStatement("INSERT INTO settings (key, value) VALUES (?, ?)"
                + " ON CONFLICT (key) DO UPDATE SET value = excluded.value")) {
            upsert.setString(1, key);
            upsert.setString(2, value);
            upsert.executeUpdate();
        }
    }

    /** Ids of every reading the server holds in the sensors' scopes. */
    List<String> readingIds(List<String> sensors) {
        List<String> ids = new ArrayList<>();
        for (String sensor : sensors) {
            readings(sensor).forEach(row -> ids.add((String) row.row().get("id")));
        }
        return ids;
    }

    /** One line per sensor, by name, from its scope on the server. */
    List<SensorSummary> summary(List<String> sensors) {
        List<SensorSummary> summary = new ArrayList<>();
        for (String sensor : sensors) {
            List<Double> celsius = readings(sensor).stream().map(row -> ((Number) row.row().get("celsius")).doubleValue())
                    .toList();
            summary.add(new SensorSummary(sensor, celsius.size(),
                    celsius.stream().mapToDouble(Double::doubleValue).min().orElse(0),
                    celsius.stream().mapToDouble(Double::doubleValue).max().orElse(0),
                    celsius.stream().mapToDouble(Double::doubleValue).average().orElse(0)));
        }
        return summary;
    }

    /** The live readings of one sensor's scope, paged through the store as a catch-up would be. */
    private List<RowState> readings(String sensor) {
        List<RowState> rows = new ArrayList<>();
        long cursor = 0;
        while (true) {
            CatchUpPage page = store.page(Scope.of(sensor), cursor, 500, false);
            page.rows().stream().filter(row -> row.table().equals("readings") && !row.deleted()).forEach(rows::add);
            if (!page.hasMore() || page.nextCursor() == cursor) {
                return rows;
            }
            cursor = page.nextCursor();
        }
    }

    @Override
    public void close() throws SQLException {
        sync.close();
        database.close();
    }
}
