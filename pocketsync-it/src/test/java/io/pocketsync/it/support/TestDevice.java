package io.pocketsync.it.support;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.transport.ReconnectPolicy;
import io.pocketsync.device.DeviceOptions;
import io.pocketsync.device.PocketSyncDevice;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A device of a test: a {@link PocketSyncDevice} on a real SQLite file, which can be closed ("offline") and
 * opened again on the same file, possibly against another server. Writes go through {@link SqliteFiles}
 * (another connection, like an app). Not thread-safe.
 */
public final class TestDevice implements AutoCloseable {
    private static final DeviceOptions FAST_RETRY = new DeviceOptions(Duration.ofMillis(50), 500, 500, Duration.ofSeconds(10),
            new ReconnectPolicy(Duration.ofMillis(100), Duration.ofSeconds(1)));

    private final Path database;
    private final String scope;
    private final String token;
    private final List<String> tables;
    private String transport;
    private URI server;
    private Map<String, String> transportConfig;
    private PocketSyncDevice device;
    private String deviceId;

    private TestDevice(Path database, String scope, String token, String transport, URI server,
            Map<String, String> transportConfig, List<String> tables) {
        this.database = requireNonNull(database, "database is null");
        this.scope = requireNonNull(scope, "scope is null");
        this.token = requireNonNull(token, "token is null");
        this.tables = List.copyOf(tables);
        connectTo(transport, server, transportConfig);
    }

    /** A WebSocket device on {@code database} (the {@code items} table is created) syncing {@code items}; not yet started. */
    public static TestDevice websocket(Path database, URI server, String scope, String token, Map<String, String> config) {
        SqliteFiles.createItems(database);
        return new TestDevice(database, scope, token, "websocket", server, config, List.of(SqliteFiles.ITEMS));
    }

    public static TestDevice websocket(Path database, URI server, String scope, String token) {
        return websocket(database, server, scope, token, Map.of());
    }

    /** An MQTT device on the test broker under {@code topicRoot}, syncing {@code items}; not yet started. */
    public static TestDevice mqtt(Path database, String topicRoot, String scope, String token) {
        SqliteFiles.createItems(database);
        return new TestDevice(database, scope, token, "mqtt", URI.create(TestEnv.mqttUri()),
                Map.of("topic-root", topicRoot), List.of(SqliteFiles.ITEMS));
    }

    /** Points the next {@link #start()} at another server or transport (the device must be closed). */
    public TestDevice connectTo(String transportName, URI serverUri, Map<String, String> config) {
        if (device != null) {
            throw new IllegalStateException("close the device first");
        }
        this.transport = requireNonNull(transportName, "transportName is null");
        this.server = requireNonNull(serverUri, "serverUri is null");
        Map<String, String> merged = new HashMap<>(config);
        merged.putIfAbsent("reconnect-initial-delay", "100ms");
        merged.putIfAbsent("reconnect-max-delay", "1s");
        this.transportConfig = Map.copyOf(merged);
        return this;
    }

    /** Starts (or restarts, after {@link #close()}) syncing the database. */
    public TestDevice start() {
        if (device != null) {
            throw new IllegalStateException("already started");
        }
        PocketSyncDevice created = PocketSyncDevice.builder().database(database).tables(tables).scope(scope).token(token)
                .server(server).transport(transport, PluginConfig.of("transport." + transport, transportConfig))
                .options(FAST_RETRY).build();
        created.start();
        device = created;
        deviceId = created.deviceId();
        return this;
    }

    public boolean running() {
        return device != null;
    }

    public PocketSyncDevice engine() {
        if (device == null) {
            throw new IllegalStateException("not started");
        }
        return device;
    }

    public Path database() {
        return database;
    }

    public String scope() {
        return scope;
    }

    /** The persistent device id (known after the first start). */
    public String deviceId() {
        return deviceId;
    }

    /** The broker client id of an MQTT device (its persistent session), or null for other transports. */
    public String mqttClientId() {
        return "mqtt".equals(transport) && deviceId != null ? "ps:" + scope + ":" + deviceId : null;
    }

    /** Runs an app write on the database; works while the device is closed too. */
    public int execute(String sql, Object... args) {
        return SqliteFiles.execute(database, sql, args);
    }

    public void insertItem(String id, String name, int qty) {
        execute("INSERT INTO items (id, name, qty) VALUES (?, ?, ?)", id, name, qty);
    }

    public List<Map<String, Object>> items() {
        return SqliteFiles.rows(database, SqliteFiles.ITEMS);
    }

    public String itemName(String id) {
        return SqliteFiles.itemName(database, id);
    }

    /** Stops syncing and releases the database; {@link #start()} opens it again. Idempotent. */
    @Override
    public void close() {
        if (device != null) {
            device.close();
            device = null;
        }
    }
}
