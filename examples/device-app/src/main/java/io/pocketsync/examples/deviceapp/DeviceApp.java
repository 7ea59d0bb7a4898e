package io.pocketsync.examples.deviceapp;

import io.pocketsync.device.PocketSyncDevice;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

/**
 * A device-only app: its own SQLite file with a {@code notes} table, kept in sync with a PocketSync
 * server over WebSocket. It depends on {@code pocketsync-device} and {@code transport-websocket} only,
 * so nothing of the server (engine, stores, Guice, Redis, MQTT) is on its classpath.
 *
 * <pre>
 * java ... io.pocketsync.examples.deviceapp.DeviceApp notes.db ws://127.0.0.1:8787/sync alice s3cret
 * </pre>
 *
 * Without a reachable server it keeps working: notes are captured and pushed once it connects.
 */
public final class DeviceApp {
    /** The app's schema. A TEXT primary key (UUIDs) lets rows from several devices coexist. */
    static final String SCHEMA = "CREATE TABLE IF NOT EXISTS notes (id TEXT PRIMARY KEY, text TEXT NOT NULL)";

    private DeviceApp() {}

    public static void main(String[] args) throws Exception {
        Path database = Path.of(args.length > 0 ? args[0] : "notes.db");
        URI server = URI.create(args.length > 1 ? args[1] : "ws://127.0.0.1:8787/sync");
        String scope = args.length > 2 ? args[2] : "alice";
        String token = args.length > 3 ? args[3] : "s3cret";

        PocketSyncDevice device = open(database, server, scope, token);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            device.close();
            stopped.countDown();
        }));
        device.watch("notes", (table, remote) -> System.out.println("notes changed (remote: " + remote + ")"));
        device.start();
        addNote(device, "hello from " + device.deviceId());
        System.out.println("syncing " + database + " with " + server + "; Ctrl-C to stop");
        stopped.await();
    }

    /** Creates the app's table if needed and points PocketSync at it; call {@code start()} to sync. */
    static PocketSyncDevice open(Path database, URI server, String scope, String token) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
             Statement statement = connection.createStatement()) {
            statement.execute(SCHEMA); // the app's table exists before PocketSync tracks it
        }
        return PocketSyncDevice.builder()
                .database(database)
                .tables("notes")
                .server(server)
                .scope(scope)
                .token(token)
                .transport("websocket")
                .build();
    }

    /** Writes through the device's connection, whose commit hook pushes at once; any connection would do. */
    static void addNote(PocketSyncDevice device, String text) throws SQLException {
        try (Connection connection = device.connection();
             PreparedStatement insert = connection.prepareStatement("INSERT INTO notes (id, text) VALUES (?, ?)")) {
            insert.setString(1, UUID.randomUUID().toString());
            insert.setString(2, text);
            insert.executeUpdate();
        }
    }
}
