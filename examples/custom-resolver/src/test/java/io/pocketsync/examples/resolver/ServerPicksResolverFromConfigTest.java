package io.pocketsync.examples.resolver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.core.config.Settings;
import io.pocketsync.device.PocketSyncDevice;
import io.pocketsync.server.engine.ServerListener;
import io.pocketsync.server.engine.SyncServer;
import io.pocketsync.server.engine.assembly.ServerAssembly;
import io.pocketsync.testkit.store.InMemoryServerStore;
import io.pocketsync.testkit.transport.InMemoryNetwork;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The same two devices and the same writes against a server whose configuration differs in one line.
 * The server code never mentions {@code max-counter}: it is found through ServiceLoader because this
 * module's jar is on the classpath, and used because the configuration names it for {@code counters}.
 */
class ServerPicksResolverFromConfigTest {
    private static final String SCOPE = "shop-42";
    private static final String TOKEN = "example-token";

    @TempDir
    Path dir;
    private InMemoryNetwork network;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void setUp() {
        network = new InMemoryNetwork();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        network.close();
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "# nothing configured: last-write-wins          | 10",
            "resolver.table.counters = max-counter          | 42",
    })
    void theConfiguredResolverDecidesAnOfflineConflict(String serverConfig, long expected) throws Exception {
        startServer(Settings.of(properties(serverConfig)));
        Path a = counterDatabase("a.db");
        Path b = counterDatabase("b.db");
        PocketSyncDevice deviceA = device(a);
        PocketSyncDevice deviceB = device(b);

        execute(a, "INSERT INTO counters (name, value) VALUES ('visits', 1)");
        await().until(() -> visits(b) == 1);

        // B counts 42 visits while offline; A, online, counts 10 a little later.
        network.setOnline(deviceB.deviceId(), false);
        execute(b, "UPDATE counters SET value = 42 WHERE name = 'visits'");
        long writtenAt = System.currentTimeMillis();
        await().until(() -> System.currentTimeMillis() > writtenAt); // so A's write is later by the clock too
        execute(a, "UPDATE counters SET value = 10 WHERE name = 'visits'");
        await().until(() -> deviceA.pendingCount() == 0);

        // B comes back and pushes its older write: the resolver of the "counters" table decides.
        network.setOnline(deviceB.deviceId(), true);
        await().until(() -> deviceB.pendingCount() == 0 && visits(a) == visits(b));
        assertThat(visits(a)).isEqualTo(expected);
        assertThat(visits(b)).isEqualTo(expected);
    }

    /**
     * What a server does with its configuration: the assembly the standalone server and the Guice module use
     * picks the resolvers by name. The store and transport are in-memory parts the test hands the engine itself.
     */
    private void startServer(Settings fromFile) {
        ServerAssembly assembly = ServerAssembly.of(fromFile.withOverrides(Map.of(
                "server.auth", "static-token", "auth.static-token.tokens", SCOPE + ":" + TOKEN)));
        InMemoryServerStore store = new InMemoryServerStore();
        SyncServer server = assembly.engine(store, assembly.authenticator(), assembly.resolvers(), ServerListener.NONE);
        server.start();
        var transport = network.serverTransport();
        transport.start(server::accept);
        open.add(store);
        open.add(server);
        open.add(transport);
    }

    private PocketSyncDevice device(Path database) {
        PocketSyncDevice device = PocketSyncDevice.builder()
                .database(database)
                .tables("counters")
                .scope(SCOPE)
                .token(TOKEN)
                .server(URI.create("mem://server"))
                .transport(network.clientTransport())
                .build();
        open.add(device);
        device.start();
        return device;
    }

    private Path counterDatabase(String name) throws SQLException {
        Path file = dir.resolve(name);
        execute(file, "CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)");
        return file;
    }

    private static Map<String, String> properties(String text) throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(text));
        Map<String, String> map = new java.util.HashMap<>();
        properties.stringPropertyNames().forEach(key -> map.put(key, properties.getProperty(key)));
        return map;
    }

    private static void execute(Path file, String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA busy_timeout = 5000");
            statement.execute(sql);
        }
    }

    private static long visits(Path file) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                ResultSet rs = connection.createStatement().executeQuery("SELECT value FROM counters WHERE name = 'visits'")) {
            return rs.next() ? rs.getLong(1) : -1;
        }
    }
}
