package io.pocketsync.examples.fleet;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.device.PocketSyncDevice;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A simulated temperature sensor: it writes readings into its own SQLite file and PocketSync pushes
 * them through the MQTT broker into the sensor's own scope; on the same connection it receives the fleet's
 * configuration ({@code settings}) from a scope it may only read. The sensor's code is plain JDBC.
 *
 * <p>Not thread-safe.
 */
final class Sensor implements AutoCloseable {
    private final String name;
    private final Connection database;
    private final PocketSyncDevice sync;
    private final Random random;
    private final List<String> written = new ArrayList<>();

    /**
     * @param name the sensor's name, stored in each reading
     * @param file its SQLite file
     * @param broker the MQTT broker: for MQTT, the broker is the server address
     * @param topicRoot the fleet's topic tree (must match the server's)
     * @param clientId this sensor's MQTT client id, stable across restarts
     * @param token the token of the sensor's own scope (named as the sensor)
     * @param configScope the fleet's configuration scope
     * @param configToken the read-only token of {@code configScope}
     */
    Sensor(String name, Path file, URI broker, String topicRoot, String clientId, String token, String configScope,
            String configToken) throws SQLException {
        this.name = requireNonNull(name, "name is null");
        this.database = Readings.open(file);
        this.random = new Random(name.hashCode());
        this.sync = PocketSyncDevice.builder()
                .database(file)
                .table("readings", name)                      // its own telemetry scope
                .table("settings", configScope)               // the fleet's configuration, read-only
                .token(name, token)
                .token(configScope, configToken)
                .server(broker)
                .transport("mqtt", PluginConfig.of("transport.mqtt", Map.of("topic-root", topicRoot, "client-id", clientId)))
                .build();
        sync.start();
    }

    /** A setting of the fleet's configuration as this sensor received it, or null. */
    String setting(String key) throws SQLException {
        try (PreparedStatement select = database.prepareStatement("SELECT value FROM settings WHERE key = ?")) {
            select.setString(1, key);
            try (java.sql.ResultSet rows = select.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }

    /** Readings in this sensor's file that another sensor took (none: each sensor's scope is its own). */
    long othersReadings() throws SQLException {
        try (PreparedStatement count = database.prepareStatement("SELECT count(*) FROM readings WHERE sensor <> ?")) {
            count.setString(1, name);
            try (java.sql.ResultSet rows = count.executeQuery()) {
                return rows.next() ? rows.getLong(1) : 0;
            }
        }
    }

    /** Takes one reading; each is its own small transaction, as a real sensor loop would do. */
    void measure(long takenAt) throws SQLException {
        String id = name + ":" + (written.size() + 1);
        try (PreparedStatement insert = database.prepareStatement(
                "INSERT INTO readings (id, sensor, taken_at, celsius) VALUES (?, ?, ?, ?)")) {
            insert.setString(1, id);
            insert.setString(2, name);
            insert.setLong(3, takenAt);
            insert.setDouble(4, Math.round((18 + random.nextGaussian() * 3) * 10) / 10.0);
            insert.executeUpdate();
        }
        written.add(id);
    }

    String name() {
        return name;
    }

    /** Ids of the readings this sensor wrote. */
    List<String> written() {
        return List.copyOf(written);
    }

    /** Readings not yet acknowledged by the server. */
    long pending() {
        return sync.pendingCount();
    }

    @Override
    public void close() throws SQLException {
        sync.close();
        database.close();
    }
}
