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
 * them through the MQTT broker. The sensor's code is plain JDBC; sync is three builder lines.
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
     */
    Sensor(String name, Path file, URI broker, String topicRoot, String clientId, String scope, String token)
            throws SQLException {
        this.name = requireNonNull(name, "name is null");
        this.database = Readings.open(file);
        this.random = new Random(name.hashCode());
        this.sync = PocketSyncDevice.builder()
                .database(file)
                .tables("readings")
                .scope(scope)
                .token(token)
                .server(broker)
                .transport("mqtt", PluginConfig.of("transport.mqtt", Map.of("topic-root", topicRoot, "client-id", clientId)))
                .build();
        sync.start();
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
