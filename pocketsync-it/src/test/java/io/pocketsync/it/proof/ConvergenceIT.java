package io.pocketsync.it.proof;

import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Convergence: several real devices (SQLite files, {@code PocketSyncDevice} engines) against real
 * servers, with random inserts, updates and deletes on overlapping rows, disconnects, duplicated and
 * delayed deliveries, offline periods and restarts on the same file, app upgrades that add a column on random
 * devices (running or stopped, so old and new app versions write at once) and a copy of a device's file started
 * as one more device, and devices with different table subscriptions (some track a second table, one starts tracking
 * it mid-run), and one device of two scopes on its one connection (the shared scope's items, and tags in a scope of its
 * own, where the others' tags are the shared scope's); after quiescence (every app upgraded) every device's tables equal
 * the server's live rows of the tables it tracks in each of its scopes, it holds nothing of the others, and no row of the
 * device's own scope reaches the shared one. Over WebSocket and MQTT, on the SQLite store and on the Redis store with
 * two server nodes.
 *
 * <p>Replay one seed: {@code -Dpocketsync.seed=N} (optionally {@code -Dpocketsync.variant=WS_SQLITE});
 * soak: {@code -Dpocketsync.soak=true} or {@code -Dpocketsync.seeds=N}. Thread timing is not seeded, so a
 * rare divergence seldom replays: a failed run writes a {@link DivergenceReport} to
 * {@code pocketsync-it/target/convergence-failures/} (every differing row's server state and history, each
 * device's system-table rows for it, and the run's full message trace) and prints where.
 */
class ConvergenceIT {
    private static final List<Long> CI_SEEDS = List.of(11L, 12L);
    /** Variants CI runs by default: all four ({@code -Dpocketsync.variant=NAME} picks one, {@code ALL} all). */
    private static final List<Topology.Kind> CI_VARIANTS = List.of(Topology.Kind.WS_SQLITE, Topology.Kind.MQTT_SQLITE,
            Topology.Kind.WS_REDIS_TWO_NODES, Topology.Kind.WS_AND_MQTT_REDIS_TWO_NODES);

    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> devicesConvergeWithTheServer() {
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
        Random shape = new Random(seed ^ 0x5DEECE66DL);
        // the device of two scopes is one of them: the run's load stays that of 3-4 devices
        int deviceCount = 3 + shape.nextInt(2);
        int steps = 120 + shape.nextInt(80);
        try (Topology topology = Topology.start(kind, runDir);
             Fleet fleet = new Fleet(seed, topology, runDir, deviceCount - 1).withUpgradesAndClones().withSubscriptions()
                     .withOwnScope()) {
            fleet.startAll();
            fleet.run(steps, true, null);
            fleet.assertConverges(Duration.ofSeconds(45));
        }
        catch (AssertionError | Exception e) {
            throw new AssertionError(Seeds.replay("ConvergenceIT", seed, kind.name()) + ": " + e.getMessage(), e);
        }
    }
}
