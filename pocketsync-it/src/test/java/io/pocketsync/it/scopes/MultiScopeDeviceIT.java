package io.pocketsync.it.scopes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.transport.ReconnectPolicy;
import io.pocketsync.device.DeviceOptions;
import io.pocketsync.device.PocketSyncDevice;
import io.pocketsync.device.PocketSyncDeviceBuilder;
import io.pocketsync.it.support.Cleanup;
import io.pocketsync.it.support.SyncNode;
import io.pocketsync.it.support.TestEnv;
import io.pocketsync.server.engine.auth.StaticTokenAuthenticator;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The reference device syncing several scopes on one connection (issue #20 item 2, docs/protocol.md 3.9), on both
 * stores and both transports: two devices share a team scope while each keeps a private one, and both read a fleet
 * configuration scope they may not write (a third device of that one scope writes it). Private rows never reach the
 * other device; a write to the fleet scope is refused and reverted while the other scopes go on; a restart keeps each
 * scope's cursor.
 */
class MultiScopeDeviceIT {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final DeviceOptions FAST = new DeviceOptions(Duration.ofMillis(50), 500, 500, Duration.ofSeconds(10),
            new ReconnectPolicy(Duration.ofMillis(100), Duration.ofSeconds(1)));

    @TempDir
    Path dir;
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String alice = "alice-" + run;
    private final String bob = "bob-" + run;
    private final String team = "team-" + run;
    private final String fleet = "fleet-" + run;
    private final String topicRoot = TestEnv.uniqueTopicRoot();
    private final String redisPrefix = TestEnv.unique("psit-mscope");
    private final List<PocketSyncDevice> devices = new ArrayList<>();
    private final List<String> mqttSessions = new ArrayList<>();
    private String transport;
    private SyncNode node;

    @AfterEach
    void closeAll() {
        devices.forEach(PocketSyncDevice::close);
        Cleanup.afterNode(node, mqttSessions, redisPrefix);
    }

    @ParameterizedTest(name = "{0} store, {1}")
    @CsvSource({"sqlite, websocket", "sqlite, mqtt", "redis, websocket", "redis, mqtt"})
    void twoDevicesShareATeamScopeAndReadAFleetScopeWhileEachKeepsAPrivateOne(String storeName, String transportName)
            throws Exception {
        transport = transportName;
        SyncNode.Builder builder = SyncNode.builder()
                .store(SyncNode.store(storeName, dir, redisPrefix, "n1"))
                .authenticator(StaticTokenAuthenticator.parse(alice + ":ta," + bob + ":tb," + team + ":tt," + fleet + ":admin",
                        fleet + ":tf"));
        node = ("websocket".equals(transport) ? builder.websocket() : builder.mqtt(topicRoot)).start();

        Path fileA = database("a.db");
        Path fileB = database("b.db");
        PocketSyncDevice admin = start(device(database("admin.db")).table("config", fleet).token("admin"));
        List<String> errorsA = new CopyOnWriteArrayList<>();
        PocketSyncDevice a = start(member(fileA, alice, "ta"));
        a.onError((code, message) -> errorsA.add(code + " " + message));
        PocketSyncDevice b = start(member(fileB, bob, "tb"));
        assertThat(a.scopes()).containsExactly(alice, team, fleet);

        exec(admin, "INSERT INTO config (id, v) VALUES ('interval', '60')");
        for (int i = 0; i < 3; i++) {
            exec(a, "INSERT INTO todos (id, v) VALUES ('a-private-" + i + "', 'x')");
        }
        exec(a, "INSERT INTO projects (id, v) VALUES ('a-shared-0', 'x'), ('a-shared-1', 'x')");
        exec(b, "INSERT INTO todos (id, v) VALUES ('b-private-0', 'x'), ('b-private-1', 'x')");
        exec(b, "INSERT INTO projects (id, v) VALUES ('b-shared', 'x')");

        await().atMost(PATIENCE).until(() -> count(fileA, "projects") == 3 && count(fileB, "projects") == 3
                && count(fileA, "config") == 1 && count(fileB, "config") == 1);
        await().atMost(PATIENCE).until(() -> a.status().isUpToDate() && b.status().isUpToDate());
        assertThat(count(fileA, "todos")).as("a holds its own todos only").isEqualTo(3);
        assertThat(count(fileB, "todos")).as("b holds its own todos only").isEqualTo(2);
        assertThat(ids(fileB, "todos")).noneMatch(id -> id.startsWith("a-"));
        assertThat(count(fileA, "__pocketsync_row_seq WHERE gid NOT IN (SELECT ps_global_id FROM todos) AND tbl = 'todos'"))
                .as("no row sequence of another device's private row ever reached a").isZero();
        assertThat(node.server().sessionCount()).as("one session per scope: 3 + 3 + 1").isEqualTo(7);

        // the fleet scope is read-only for the members: a write is refused and reverted, the other scopes go on
        exec(a, "INSERT INTO config (id, v) VALUES ('local-hack', '1')");
        exec(a, "INSERT INTO projects (id, v) VALUES ('a-shared-2', 'x')");
        await().atMost(PATIENCE).until(() -> count(fileB, "projects") == 4);
        await().atMost(PATIENCE).until(() -> count(fileA, "config") == 1);
        assertThat(ids(fileA, "config")).containsExactly("interval");
        assertThat(errorsA).anyMatch(e -> e.startsWith(ErrorCode.SCOPE_READ_ONLY.name()) && e.contains("scope " + fleet));

        // a restart keeps each scope's cursor, and each scope catches up from its own
        long aliceCursor = a.cursor(alice);
        long teamCursor = a.cursor(team);
        long fleetCursor = a.cursor(fleet);
        a.close();
        devices.remove(a);
        exec(b, "INSERT INTO projects (id, v) VALUES ('b-shared-2', 'x')");
        exec(admin, "INSERT INTO config (id, v) VALUES ('interval-2', '30')");
        PocketSyncDevice again = member(fileA, alice, "ta").build();
        devices.add(again);
        assertThat(again.cursor(alice)).isEqualTo(aliceCursor);
        assertThat(again.cursor(team)).isEqualTo(teamCursor);
        assertThat(again.cursor(fleet)).isEqualTo(fleetCursor);
        again.start();
        await().atMost(PATIENCE).until(() -> count(fileA, "projects") == 5 && count(fileA, "config") == 2);
        assertThat(count(fileA, "todos")).isEqualTo(3);
    }

    private Path database(String name) throws SQLException {
        Path file = dir.resolve(name);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            for (String table : List.of("todos", "projects", "config")) {
                s.execute("CREATE TABLE " + table + " (id TEXT PRIMARY KEY, v TEXT)");
            }
        }
        return file;
    }

    private PocketSyncDeviceBuilder device(Path file) {
        URI server = "websocket".equals(transport) ? node.websocketUri() : URI.create(TestEnv.mqttUri());
        Map<String, String> config = "websocket".equals(transport) ? Map.of() : Map.of("topic-root", topicRoot);
        return PocketSyncDevice.builder().database(file).server(server)
                .transport(transport, PluginConfig.of("transport." + transport, config)).options(FAST);
    }

    /** A member device: its private scope first, the team's and the fleet's, each with its static token. */
    private PocketSyncDeviceBuilder member(Path file, String own, String ownToken) {
        return device(file).table("todos", own).table("projects", team).table("config", fleet)
                .token(own, ownToken).token(team, "tt").token(fleet, "tf");
    }

    private PocketSyncDevice start(PocketSyncDeviceBuilder builder) {
        PocketSyncDevice device = builder.build();
        devices.add(device);
        device.start();
        if ("mqtt".equals(transport)) {
            mqttSessions.add("ps:" + device.scopes().get(0) + ":" + device.deviceId());
        }
        return device;
    }

    private static void exec(PocketSyncDevice device, String sql) throws SQLException {
        try (Connection c = device.connection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static long count(Path file, String tableAndCondition) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                PreparedStatement s = c.prepareStatement("SELECT count(*) FROM " + tableAndCondition);
                ResultSet rs = s.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    private static List<String> ids(Path file, String table) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                PreparedStatement s = c.prepareStatement("SELECT id FROM " + table + " ORDER BY id");
                ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }
}
