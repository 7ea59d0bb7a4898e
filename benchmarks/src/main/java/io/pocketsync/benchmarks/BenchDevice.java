package io.pocketsync.benchmarks;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.core.device.PocketSyncDevice;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;

/** A device database with an {@code items} table and a started engine. */
final class BenchDevice implements AutoCloseable {
    static final String SCHEMA =
            "CREATE TABLE items (id TEXT PRIMARY KEY, name TEXT NOT NULL, qty INTEGER, price REAL, note TEXT)";

    final Path file;
    final PocketSyncDevice device;

    BenchDevice(Path file, URI server, String scope, String transport, Map<String, String> transportConfig) throws Exception {
        this.file = file;
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA journal_mode=WAL");
            statement.execute(SCHEMA);
        }
        device = PocketSyncDevice.builder().database(file).tables("items").scope(scope).token(BenchServer.TOKEN)
                .server(server).transport(transport, PluginConfig.of("transport." + transport, transportConfig)).build();
    }

    Connection connect() throws Exception {
        Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA busy_timeout=5000");
        }
        return connection;
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
