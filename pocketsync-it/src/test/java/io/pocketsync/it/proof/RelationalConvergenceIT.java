package io.pocketsync.it.proof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.device.PocketSyncDevice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

/**
 * Convergence on a real relational schema: the {@link Chinook}-shaped database with INTEGER keys assigned by each
 * device, a composite key, a self-reference and foreign keys. One device starts with thousands of rows; three devices
 * then write at random with auto-assigned keys (new artists, albums, tracks, invoices), edit, and delete parents
 * with their children while other devices insert children under them, going offline and restarting meanwhile.
 * After quiescence every device, and a fresh one that catches up from nothing, holds the same relational content
 * (compared through joins: local key numbers differ) and a clean {@code PRAGMA foreign_key_check}.
 *
 * <p>CI runs one seed on two topologies; {@code -Dpocketsync.seeds=N} or {@code -Dpocketsync.soak=true} runs more,
 * {@code -Dpocketsync.variant=NAME|ALL} picks topologies.
 */
class RelationalConvergenceIT {
    private static final List<Long> CI_SEEDS = List.of(31L);
    private static final List<Topology.Kind> CI_VARIANTS = List.of(Topology.Kind.WS_SQLITE, Topology.Kind.WS_AND_MQTT_REDIS_TWO_NODES);

    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> relationalContentConverges() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Topology.Kind kind : Topology.chosen(CI_VARIANTS)) {
            for (long seed : Seeds.choose(CI_SEEDS)) {
                tests.add(dynamicTest(kind + " seed " + seed, () -> run(kind, seed)));
            }
        }
        return tests.stream();
    }

    private void run(Topology.Kind kind, long seed) throws Exception {
        Path runDir = Files.createDirectories(dir.resolve(kind + "-" + seed));
        Random random = new Random(seed);
        List<Device> devices = new ArrayList<>();
        try (Topology topology = Topology.start(kind, runDir)) {
            for (int i = 0; i < 3; i++) {
                devices.add(new Device(topology, i, runDir.resolve("device-" + i + ".db")));
            }
            int seeded = Chinook.seed(devices.get(0).app, random, 3);
            assertThat(seeded).isGreaterThan(3000);
            devices.forEach(Device::start);
            awaitSame(devices, Duration.ofSeconds(60));

            for (int step = 0; step < 150; step++) {
                Device device = devices.get(random.nextInt(devices.size()));
                int roll = random.nextInt(100);
                if (roll < 6 && device.engine != null) {
                    device.stop(); // offline: writes are captured and wait
                }
                else if (roll < 12 && device.engine == null) {
                    device.start();
                }
                Chinook.mutate(device.app, random, device.name, step);
            }
            devices.stream().filter(d -> d.engine == null).forEach(Device::start);
            awaitSame(devices, Duration.ofSeconds(90));

            Device fresh = new Device(topology, 3, runDir.resolve("fresh.db"));
            devices.add(fresh);
            fresh.start();
            awaitSame(devices, Duration.ofSeconds(60));
            ChecksumCheck.assertServerConsistent(topology.store(), topology.scope());
            for (Device device : devices) {
                ChecksumCheck.assertDeviceMatches(device.name, device.engine, device.repairs);
            }
        }
        catch (AssertionError | Exception e) {
            throw new AssertionError(Seeds.replay("RelationalConvergenceIT", seed, kind.name()) + ": " + e.getMessage(), e);
        }
        finally {
            for (Device device : devices) {
                device.close();
            }
        }
    }

    private static void awaitSame(List<Device> devices, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            for (Device device : devices) {
                assertThat(device.engine.pendingCount()).as("%s pending", device.name).isZero();
            }
            Map<String, List<String>> first = Chinook.content(devices.get(0).app);
            for (Device device : devices) {
                assertThat(Chinook.foreignKeyViolations(device.app)).as("%s foreign_key_check", device.name).isEmpty();
                Map<String, List<String>> content = Chinook.content(device.app);
                for (String table : Chinook.TABLES) {
                    assertThat(content.get(table)).as("%s %s", device.name, table).isEqualTo(first.get(table));
                }
            }
        });
    }

    /** One app on its own file: its connection (foreign keys on) and an engine that can stop and start. */
    private static final class Device implements AutoCloseable {
        final String name;
        final Connection app;
        private final Topology topology;
        private final int index;
        private final Path file;
        PocketSyncDevice engine;
        final ChecksumCheck.Repairs repairs = new ChecksumCheck.Repairs();

        Device(Topology topology, int index, Path file) throws SQLException {
            this.topology = topology;
            this.index = index;
            this.file = file;
            this.name = "d" + index;
            SQLiteConfig config = new SQLiteConfig();
            config.enforceForeignKeys(true);
            // an app transaction that reads before it writes must take the write lock first, or it fails busy
            config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
            config.setBusyTimeout(10_000);
            this.app = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), config.toProperties());
            try (Statement statement = app.createStatement()) {
                statement.execute("PRAGMA journal_mode = WAL");
            }
            Chinook.createSchema(app);
        }

        void start() {
            ClientTransport transport = topology.newTransport(index, name);
            engine = PocketSyncDevice.builder().database(file).tables(Chinook.TABLES).scope(topology.scope().name())
                    .server(topology.deviceUri(index)).transport(transport).options(SimDevice.OPTIONS).statusListener(repairs).build();
            engine.start();
            topology.deviceStarted(index, engine.deviceId());
        }

        void stop() {
            engine.close();
            engine = null;
        }

        @Override
        public void close() throws SQLException {
            if (engine != null) {
                engine.close();
            }
            app.close();
        }
    }
}
