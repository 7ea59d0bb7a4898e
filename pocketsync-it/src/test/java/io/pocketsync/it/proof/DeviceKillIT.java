package io.pocketsync.it.proof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.ServerStore;
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
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * "The cursor advances in the same transaction that applies the batch, so a crash resumes where it
 * stopped" (docs/protocol.md 3.3), proven with a real kill -9: a device in a child JVM
 * ({@link DeviceProcessMain}) catches up a large backlog in small pages and gets SIGKILL several times mid-way
 * (at whatever statement it is in); each time the same file is reopened. At the end, in-process, the device
 * equals the server, and an audit trigger of the app (outside PocketSync) shows every row inserted exactly
 * once and never updated or deleted: nothing applied twice, nothing skipped.
 */
class DeviceKillIT {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceKillIT.class);
    private static final int ROWS = 3000;
    private static final int KILLS = 3;

    @TempDir
    Path dir;

    @Test
    void aDeviceKilledDuringCatchUpResumesWithNothingTwiceAndNothingSkipped() throws Exception {
        Path victimFile = dir.resolve("victim.db");
        Path log = dir.resolve("device.log");
        try (Topology topology = Topology.start(Topology.Kind.WS_SQLITE, dir);
             SimDevice writer = new SimDevice("writer", dir.resolve("writer.db"), topology.deviceUri(0),
                     topology.scope().name(), () -> ClientTransports.websocket("writer"))) {
            ServerStore store = topology.store();
            Scope scope = topology.scope();
            writer.startEngine();
            backlog(dir.resolve("writer.db"));
            await().atMost(Duration.ofSeconds(60)).until(() -> writer.engine().pendingCount() == 0);
            long head = store.info(scope).head();
            assertThat(head).isGreaterThanOrEqualTo(ROWS);
            prepareVictim(victimFile);

            long lastCursor = 0;
            for (int kill = 0; kill < KILLS; kill++) {
                long from = lastCursor;
                long target = from + (head - from) / 3; // stop it a third of the way through what is left
                DeviceProcessMain.killWhen(() -> cursor(victimFile) > Math.max(target, from), Duration.ofSeconds(60), log,
                        topology.deviceUri(0), scope.name(), victimFile, 25);
                long cursor = cursor(victimFile);
                assertThat(cursor).as("the kill came before the catch-up ended").isLessThan(head);
                assertThat(cursor).as("the cursor never goes back").isGreaterThanOrEqualTo(lastCursor);
                lastCursor = cursor;
                LOG.info("device killed at cursor {} of {}", cursor, head);
            }

            try (SimDevice victim = new SimDevice("victim", victimFile, topology.deviceUri(0), scope.name(),
                    () -> ClientTransports.websocket("victim"))) {
                victim.startEngine();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                        .until(() -> victim.engine().cursor() == head && victim.engine().pendingCount() == 0);
                assertThat(victim.rows()).isEqualTo(Canonical.serverRows(store, scope, SimDevice.TABLE));
            }
            Map<String, Integer> applied = audit(victimFile);
            assertThat(applied).as("audit entries other than one INSERT per row").hasSize(ROWS)
                    .allSatisfy((key, count) -> assertThat(count).as(key).isEqualTo(1));
            assertThat(applied.keySet()).allMatch(key -> key.startsWith("INSERT "));
        }
    }

    /** {@link #ROWS} rows inserted in one transaction on the writer's file (captured by its triggers). */
    private static void backlog(Path file) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + SimDevice.TABLE
                    + " (id, ps_global_id, name, qty, price) VALUES (?, ?, ?, ?, ?)")) {
                for (int i = 0; i < ROWS; i++) {
                    String id = "b" + i;
                    insert.setString(1, id);
                    insert.setString(2, SimDevice.globalId(id));
                    insert.setString(3, "name " + i);
                    insert.setLong(4, i);
                    insert.setDouble(5, i + 0.5);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            connection.commit();
        }
    }

    /** The victim's app table plus the app's own audit trigger, which logs every write the engine makes. */
    private static void prepareVictim(Path file) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA journal_mode = WAL");
            statement.execute("CREATE TABLE " + SimDevice.TABLE + " (id TEXT PRIMARY KEY, name TEXT, qty INTEGER, price REAL)");
            statement.execute("CREATE TABLE audit (op TEXT NOT NULL, id TEXT)");
            for (String op : List.of("INSERT", "UPDATE", "DELETE")) {
                String row = op.equals("DELETE") ? "old" : "new";
                statement.execute("CREATE TRIGGER audit_" + op.toLowerCase() + " AFTER " + op + " ON " + SimDevice.TABLE
                        + " BEGIN INSERT INTO audit (op, id) VALUES ('" + op + "', " + row + ".id); END");
            }
        }
    }

    private static long cursor(Path file) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA busy_timeout = 10000");
            try (ResultSet rows = statement.executeQuery("SELECT name FROM sqlite_master WHERE name = '__pocketsync_device_state'")) {
                if (!rows.next()) {
                    return 0;
                }
            }
            try (ResultSet rows = statement.executeQuery("SELECT cursor FROM __pocketsync_device_state WHERE id = 1")) {
                return rows.next() ? rows.getLong(1) : 0;
            }
        }
    }

    /** {@code "OP id" -> how often} from the audit table. */
    private static Map<String, Integer> audit(Path file) throws SQLException {
        Map<String, Integer> counts = new TreeMap<>();
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT op, id FROM audit")) {
            while (rows.next()) {
                counts.merge(rows.getString(1) + " " + rows.getString(2), 1, Integer::sum);
            }
        }
        return counts;
    }
}
