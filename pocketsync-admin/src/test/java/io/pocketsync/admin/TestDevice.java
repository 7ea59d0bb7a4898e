package io.pocketsync.admin;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.transport.ReconnectPolicy;
import io.pocketsync.device.DeviceOptions;
import io.pocketsync.device.PocketSyncDevice;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A device of an admin test: a {@link PocketSyncDevice} over WebSocket on a real SQLite file with tables {@code items}
 * (TEXT key) and {@code users} (a UNIQUE email), which can be stopped ("offline"), written to, and started again.
 */
final class TestDevice implements AutoCloseable {
    private static final DeviceOptions FAST = new DeviceOptions(Duration.ofMillis(50), 500, 500, Duration.ofSeconds(10),
            new ReconnectPolicy(Duration.ofMillis(100), Duration.ofMillis(500)));

    private final Path file;
    private final URI server;
    private final String scope;
    private final String token;
    private final List<ErrorCode> errors = new CopyOnWriteArrayList<>();
    private PocketSyncDevice device;
    private String id;

    TestDevice(Path file, URI server, String scope, String token) {
        this.file = file;
        this.server = server;
        this.scope = scope;
        this.token = token;
        execute("CREATE TABLE IF NOT EXISTS items (id TEXT PRIMARY KEY, title TEXT)");
        execute("CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY, email TEXT UNIQUE)");
    }

    TestDevice start() {
        device = PocketSyncDevice.builder().database(file).tables("items", "users").scope(scope).token(token).server(server)
                .transport("websocket", PluginConfig.of("transport.websocket",
                        Map.of("reconnect-initial-delay", "100ms", "reconnect-max-delay", "500ms")))
                .options(FAST).build();
        device.onError((code, message) -> errors.add(code));
        device.start();
        id = device.deviceId();
        return this;
    }

    void stop() {
        if (device != null) {
            device.close();
            device = null;
        }
    }

    /** The device id (known once started; kept while stopped). */
    String id() {
        return id;
    }

    boolean connected() {
        return device != null && device.status().connected();
    }

    long pending() {
        return device.pendingCount();
    }

    List<ErrorCode> errors() {
        return errors;
    }

    void execute(String sql, Object... args) {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                statement.setObject(i + 1, args[i]);
            }
            statement.execute();
        }
        catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** Deletes an item with capture suppressed, as the engine applies remote changes: the server never hears of it. */
    void deleteBehindTheEngine(String item) {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            statement.execute("INSERT INTO __pocketsync_applying (id) VALUES (1)");
            statement.execute("DELETE FROM items WHERE id = '" + item.replace("'", "''") + "'");
            statement.execute("DELETE FROM __pocketsync_applying");
            connection.commit();
        }
        catch (SQLException e) {
            throw new IllegalStateException("deleting " + item + " failed", e);
        }
    }

    /** The {@code title} of item {@code id}, or null. */
    String title(String id) {
        return text("SELECT title FROM items WHERE id = '" + id.replace("'", "''") + "'");
    }

    /** The {@code email} of user {@code id}, or null. */
    String email(String id) {
        return text("SELECT email FROM users WHERE id = '" + id.replace("'", "''") + "'");
    }

    private String text(String sql) {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
        catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    @Override
    public void close() {
        stop();
    }
}
