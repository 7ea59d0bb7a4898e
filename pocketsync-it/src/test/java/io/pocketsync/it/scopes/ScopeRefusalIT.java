package io.pocketsync.it.scopes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.transport.ReconnectPolicy;
import io.pocketsync.device.DeviceOptions;
import io.pocketsync.device.PocketSyncDevice;
import io.pocketsync.it.support.SyncNode;
import io.pocketsync.server.engine.LoginLimits;
import io.pocketsync.server.engine.ServerOptions;
import io.pocketsync.server.engine.auth.StaticTokenAuthenticator;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One scope of a device of several refused (docs/protocol.md 3.9, "Ending one scope") over WebSocket: the refusal ends
 * that scope's session only, the device's other scopes keep syncing, and the refused scope syncs once its token is
 * right. The refused scope is the device's first, so its HELLO is the one held back (the refusal backoff): whether the
 * server closed the connection (no other session lived on it yet) and the other scope's HELLO came first on the next
 * one, or the other scope's session outlived the refusal, the untagged messages and the tagged ones reach the right
 * scope.
 */
class ScopeRefusalIT {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final DeviceOptions FAST = new DeviceOptions(Duration.ofMillis(50), 500, 500, Duration.ofSeconds(10),
            new ReconnectPolicy(Duration.ofMillis(100), Duration.ofSeconds(1)))
            .withRefusalBackoff(new ReconnectPolicy(Duration.ofMillis(200), Duration.ofSeconds(1)));

    @TempDir
    Path dir;
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String alice = "alice-" + run;
    private final String team = "team-" + run;
    private SyncNode node;

    @BeforeEach
    void startServer() {
        node = SyncNode.builder().store(SyncNode.sqliteStore(dir, "n1"))
                .authenticator(StaticTokenAuthenticator.parse(alice + ":ta," + team + ":tt", "")).websocket().start();
    }

    @AfterEach
    void stopServer() {
        node.close();
    }

    @Test
    void theFirstScopeRefusedLeavesTheSecondSyncingUntilItsTokenIsRight() throws Exception {
        Path phoneDb = database("phone.db");
        Path teammateDb = database("teammate.db");
        AtomicReference<String> aliceToken = new AtomicReference<>("wrong");
        List<String> errors = new CopyOnWriteArrayList<>();
        try (PocketSyncDevice phone = PocketSyncDevice.builder().database(phoneDb).server(node.websocketUri())
                .transport("websocket").options(FAST).table("todos", alice).table("projects", team)
                .tokenSupplier(alice, aliceToken::get).token(team, "tt").build();
                PocketSyncDevice teammate = PocketSyncDevice.builder().database(teammateDb).server(node.websocketUri())
                        .transport("websocket").options(FAST).scope(team).tables("projects").token("tt").build()) {
            assertThat(phone.scopes()).containsExactly(alice, team);
            phone.onError((code, message) -> errors.add(code + " " + message));
            phone.start();
            teammate.start();
            exec(phoneDb, "INSERT INTO todos (id, v) VALUES ('mine', 'waits for the right token')");
            exec(phoneDb, "INSERT INTO projects (id, v) VALUES ('from-phone', 'x')");
            exec(teammateDb, "INSERT INTO projects (id, v) VALUES ('from-teammate', 'x')");

            // the team scope syncs both ways while the first scope is refused, again and again
            await().atMost(PATIENCE).until(() -> count(teammateDb, "projects") == 2 && count(phoneDb, "projects") == 2);
            await().atMost(PATIENCE).until(() -> errors.stream().filter(e -> e.startsWith(ErrorCode.AUTH_FAILED.name())).count() >= 2);
            assertThat(errors).filteredOn(e -> e.startsWith(ErrorCode.AUTH_FAILED.name())).allMatch(e -> e.contains(alice));
            await().atMost(PATIENCE).until(() -> !phone.status(alice).connected() && phone.status(alice).pendingCount() == 1
                    && phone.status(team).connected());
            assertThat(node.store().info(io.pocketsync.api.model.Scope.of(alice)).head()).isZero();

            // live broadcasts of the team scope keep arriving while the first scope's HELLO is held back
            exec(teammateDb, "INSERT INTO projects (id, v) VALUES ('later', 'x')");
            await().atMost(PATIENCE).until(() -> count(phoneDb, "projects") == 3);

            // the right token: the first scope's HELLO comes after the team's now, and both sessions sync
            aliceToken.set("ta");
            await().atMost(PATIENCE).until(() -> phone.status(alice).connected() && phone.status(alice).pendingCount() == 0);
            exec(phoneDb, "INSERT INTO projects (id, v) VALUES ('after-the-fix', 'x')");
            exec(teammateDb, "INSERT INTO projects (id, v) VALUES ('teammate-after-the-fix', 'x')");
            await().atMost(PATIENCE).until(() -> count(teammateDb, "projects") == 5 && count(phoneDb, "projects") == 5);
            assertThat(node.store().info(io.pocketsync.api.model.Scope.of(alice)).head()).isPositive();
            assertThat(count(teammateDb, "todos")).as("the private scope reached nobody else").isZero();
        }
    }

    @Test
    void theSecondScopeRefusedLeavesTheFirstSyncing() throws Exception {
        Path phoneDb = database("phone.db");
        Path laptopDb = database("laptop.db");
        List<String> errors = new CopyOnWriteArrayList<>();
        try (PocketSyncDevice phone = PocketSyncDevice.builder().database(phoneDb).server(node.websocketUri())
                .transport("websocket").options(FAST).table("todos", alice).table("projects", team)
                .token(alice, "ta").token(team, "wrong").build();
                PocketSyncDevice laptop = PocketSyncDevice.builder().database(laptopDb).server(node.websocketUri())
                        .transport("websocket").options(FAST).scope(alice).tables("todos").token("ta").build()) {
            phone.onError((code, message) -> errors.add(code + " " + message));
            phone.start();
            laptop.start();
            exec(phoneDb, "INSERT INTO projects (id, v) VALUES ('stuck', 'x')");
            exec(phoneDb, "INSERT INTO todos (id, v) VALUES ('from-phone', 'x')");
            exec(laptopDb, "INSERT INTO todos (id, v) VALUES ('from-laptop', 'x')");

            await().atMost(PATIENCE).until(() -> count(laptopDb, "todos") == 2 && count(phoneDb, "todos") == 2);
            await().atMost(PATIENCE).until(() -> errors.stream().anyMatch(e -> e.startsWith(ErrorCode.AUTH_FAILED.name())
                    && e.contains(team)));
            exec(laptopDb, "INSERT INTO todos (id, v) VALUES ('later', 'x')");
            await().atMost(PATIENCE).until(() -> count(phoneDb, "todos") == 3);
            await().atMost(PATIENCE).until(() -> phone.status(alice).connected() && !phone.status(team).connected()
                    && phone.status(team).pendingCount() == 1);
        }
    }

    /**
     * Every scope refused at once (a copied config with stale tokens, or a device id the login throttle holds): all
     * HELLOs wait out their backoffs, longer than the server's handshake timeout. The device once left its connection
     * open and silent meanwhile; the server's "no HELLO within" ERROR came untagged to the first scope, which took it as
     * its own refusal and waited again, for ever: the right tokens never got said. Now the connection pauses while every
     * scope holds its HELLO, and an ERROR before a scope's HELLO is no refusal of it.
     */
    @Test
    void everyScopeRefusedAtOnceConnectsOnceTheTokensAreRight() throws Exception {
        node.close();
        node = SyncNode.builder().store(SyncNode.sqliteStore(dir, "n2"))
                .authenticator(StaticTokenAuthenticator.parse(alice + ":ta," + team + ":tt", ""))
                .options(ServerOptions.builder().loginLimits(LoginLimits
                        .defaults().toBuilder().handshakeTimeout(Duration.ofSeconds(1)).build()))
                .websocket().start();
        // holds of 2 s against the server's 1 s handshake timeout; a retryable refusal would wait 10 minutes
        DeviceOptions options = new DeviceOptions(Duration.ofMillis(50), 500, 500, Duration.ofSeconds(10),
                new ReconnectPolicy(Duration.ofMinutes(10), Duration.ofMinutes(10)))
                .withRefusalBackoff(new ReconnectPolicy(Duration.ofSeconds(2), Duration.ofSeconds(2)));
        Path phoneDb = database("phone.db");
        AtomicReference<String> aliceToken = new AtomicReference<>("wrong");
        AtomicReference<String> teamToken = new AtomicReference<>("wrong");
        List<String> errors = new CopyOnWriteArrayList<>();
        try (PocketSyncDevice phone = PocketSyncDevice.builder().database(phoneDb).server(node.websocketUri())
                .transport("websocket").options(options).table("todos", alice).table("projects", team)
                .tokenSupplier(alice, aliceToken::get).tokenSupplier(team, teamToken::get).build()) {
            phone.onError((code, message) -> errors.add(code + " " + message));
            phone.start();
            exec(phoneDb, "INSERT INTO todos (id, v) VALUES ('mine', 'x')");
            exec(phoneDb, "INSERT INTO projects (id, v) VALUES ('ours', 'x')");
            await().atMost(PATIENCE).until(() -> errors.stream().filter(e -> e.startsWith(ErrorCode.AUTH_FAILED.name())).count() >= 4);

            aliceToken.set("ta");
            teamToken.set("tt");
            await().atMost(PATIENCE).until(() -> phone.status(alice).connected() && phone.status(team).connected()
                    && phone.status(alice).pendingCount() == 0 && phone.status(team).pendingCount() == 0);
            assertThat(errors).noneMatch(e -> e.startsWith(ErrorCode.TIMEOUT.name()));
        }
    }

    private Path database(String name) throws SQLException {
        Path file = dir.resolve(name);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE todos (id TEXT PRIMARY KEY, v TEXT)");
            s.execute("CREATE TABLE projects (id TEXT PRIMARY KEY, v TEXT)");
        }
        return file;
    }

    private static void exec(Path file, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 5000");
            s.execute(sql);
        }
    }

    private static long count(Path file, String table) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                PreparedStatement s = c.prepareStatement("SELECT count(*) FROM " + table);
                ResultSet rs = s.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }
}
