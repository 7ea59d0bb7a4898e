package io.pocketsync.it.proof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.model.Version;
import io.pocketsync.store.sqlite.SqliteServerStore;
import io.pocketsync.store.sqlite.SqliteStoreConfig;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "An ACK is sent only after the store has made the batch durable" (docs/protocol.md 3.2), proven with a real
 * kill -9: the server runs in a child JVM ({@link ServerProcessMain}: SQLite store + WebSocket), devices
 * push continuously, the child gets SIGKILL mid-stream; every change a device saw acknowledged is on
 * the server afterwards, and after a restart on the same port and file the devices resume and converge.
 */
class ServerKillIT {
    private record Acked(String device, String changeId, String gid, long hlc) {}

    @TempDir
    Path dir;

    @Test
    void everyAckedChangeSurvivesKillNineAndDevicesConvergeAfterRestart() throws Exception {
        long seed = Long.getLong("pocketsync.seed", 31L);
        int port = Ports.free();
        Path db = dir.resolve("server.db");
        Path log = dir.resolve("server.log");
        URI uri = URI.create("ws://127.0.0.1:" + port + "/sync");
        ChildJvm server = ChildJvm.start(ServerProcessMain.class, ServerProcessMain.READY, log, Integer.toString(port), db.toString());
        try (Topology topology = Topology.external(uri, null);
             Fleet fleet = new Fleet(seed, topology, dir, 3, i -> uri).withoutChaos()) {
            fleet.startAll();
            fleet.run(150, false, null);
            // the child JVM may still be warming up on a loaded machine: the kill must come after some ACKs...
            await().atMost(Duration.ofSeconds(60)).until(() -> !ackedOnAnyDevice().isEmpty());
            fleet.run(50, false, null); // ...and while devices are still pushing
            server.kill();
            assertThat(server.isAlive()).isFalse();
            fleet.run(40, false, null); // writes while the server is gone stay pending

            List<Acked> acked = ackedOnAnyDevice();
            assertThat(acked).as("the devices saw acknowledgements before the kill").isNotEmpty();
            try (SqliteServerStore store = new SqliteServerStore(SqliteStoreConfig.at(db), "reader", Clock.systemUTC())) {
                Scope scope = topology.scope();
                for (Acked change : acked) {
                    Optional<RowState> row = store.row(scope, SimDevice.TABLE, change.gid());
                    assertThat(row).as("acked change %s of %s", change.changeId(), change.device()).isPresent();
                    Version ackedVersion = new Version(new Hlc(change.hlc()), change.device());
                    assertThat(ackedVersion.isAfter(row.get().version()))
                            .as("server row %s is at least as new as acked change %s", change.gid(), change.changeId()).isFalse();
                }
            }

            server = ChildJvm.start(ServerProcessMain.class, ServerProcessMain.READY, log, Integer.toString(port), db.toString());
            fleet.run(40, false, null);
            try (SqliteServerStore reader = new SqliteServerStore(SqliteStoreConfig.at(db), "reader", Clock.systemUTC());
                 Topology check = Topology.external(uri, reader)) {
                fleet.assertConverges(Duration.ofSeconds(60), check.store(), topology.scope());
            }
        }
        catch (AssertionError | Exception e) {
            throw new AssertionError(Seeds.replay("ServerKillIT", seed, "EXTERNAL_WS") + ": " + e.getMessage(), e);
        }
        finally {
            server.kill();
        }
    }

    private List<Acked> ackedOnAnyDevice() throws SQLException {
        List<Acked> acked = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            acked.addAll(acked(dir.resolve("device-" + i + ".db")));
        }
        return acked;
    }

    private static List<Acked> acked(Path file) throws SQLException {
        List<Acked> acked = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA busy_timeout = 10000");
            String device;
            try (ResultSet state = statement.executeQuery("SELECT device_id FROM __pocketsync_device_state WHERE id = 1")) {
                state.next();
                device = state.getString(1);
            }
            try (ResultSet rows = statement.executeQuery(
                    "SELECT change_id, gid, hlc FROM __pocketsync_changes WHERE state = 'acked'")) {
                while (rows.next()) {
                    acked.add(new Acked(device, rows.getString(1), rows.getString(2), rows.getLong(3)));
                }
            }
        }
        return acked;
    }
}
