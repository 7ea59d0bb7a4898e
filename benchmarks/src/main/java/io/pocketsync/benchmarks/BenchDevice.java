package io.pocketsync.benchmarks;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.device.PocketSyncDevice;
import io.pocketsync.device.SyncStatusListener;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.Map;

/** A device database with an {@code items} table and a started engine. */
final class BenchDevice implements AutoCloseable {
    static final String SCHEMA =
            "CREATE TABLE items (id TEXT PRIMARY KEY, name TEXT NOT NULL, qty INTEGER, price REAL, note TEXT)";

    final Path file;
    final PocketSyncDevice device;

    BenchDevice(Path file, URI server, String scope, String transport, Map<String, String> transportConfig) throws Exception {
        this(file, server, scope, transport, transportConfig, SyncStatusListener.NONE);
    }

    /** A device whose status events go to {@code listener}. */
    BenchDevice(Path file, URI server, String scope, String transport, Map<String, String> transportConfig,
            SyncStatusListener listener) throws Exception {
        this.file = file;
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA journal_mode=WAL");
            statement.execute(SCHEMA);
        }
        device = PocketSyncDevice.builder().database(file).tables("items").scope(scope).token(BenchServer.TOKEN)
                .server(server).transport(transport, PluginConfig.of("transport." + transport, transportConfig))
                .statusListener(listener).build();
    }

    Connection connect() throws Exception {
        Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA busy_timeout=5000");
        }
        return connection;
    }

    /**
     * Commits {@code count} new rows in one transaction, as an app's bulk write does, on a connection of the app's
     * own (not the device's); their ids are {@code item-<round>-<i>}.
     */
    void insertRows(int round, int count) throws Exception {
        try (Connection connection = connect(); PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO items (id, name, qty, price, note) VALUES (?, ?, ?, ?, ?)")) {
            connection.setAutoCommit(false);
            for (int i = 0; i < count; i++) {
                insert.setString(1, "item-" + round + "-" + i);
                insert.setString(2, "name " + i);
                insert.setInt(3, i);
                insert.setDouble(4, i * 1.5);
                insert.setString(5, "note for row " + i);
                insert.addBatch();
            }
            insert.executeBatch();
            connection.commit();
        }
    }

    long count() throws Exception {
        try (Connection connection = connect(); Statement statement = connection.createStatement();
                var rs = statement.executeQuery("SELECT count(*) FROM items")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public void close() {
        device.close();
    }
}
