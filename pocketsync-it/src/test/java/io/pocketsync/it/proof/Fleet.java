package io.pocketsync.it.proof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.device.PocketSyncDevice;
import java.net.URI;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.IntFunction;

/**
 * Several {@link SimDevice}s driven by one seeded {@link Random}: random inserts, updates and deletes on
 * a shared pool of row ids, random disconnects, offline periods and restarts; then quiescence and the
 * convergence check. Every decision comes from the seed; real threads make runs not bit-identical.
 */
final class Fleet implements AutoCloseable {
    private final Random random;
    private final long seed;
    private final List<SimDevice> devices = new ArrayList<>();
    private final List<ChaosClientTransport> chaos = new ArrayList<>();
    private final List<Boolean> offline = new ArrayList<>();
    private final int poolSize;
    private final Path dir;
    private final IntFunction<URI> uris;
    /** Random app upgrades ({@code ADD COLUMN}) and clones of device files mid-run ({@link #withUpgradesAndClones}). */
    private boolean upgradesAndClones;
    private int clones;
    /** Devices with different table subscriptions ({@link #withSubscriptions}); one starts tracking tags mid-run. */
    private boolean subscriptions;
    private boolean trackedLater;
    private int tagWrites;
    /** Tag writes of the devices of two scopes ({@link #withOwnScope}), in their own scope. */
    private int ownTagWrites;
    private final ScheduledExecutorService delays = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "chaos-delays");
        thread.setDaemon(true);
        return thread;
    });
    private final Topology topology;
    private int transportsMade;
    private double duplicate = 0.05;
    private double delay = 0.10;

    Fleet(long seed, Topology topology, Path dir, int deviceCount) throws SQLException {
        this(seed, topology, dir, deviceCount, topology::deviceUri);
    }

    /** Devices reach the servers at {@code uris} (e.g. through a {@link TcpProxy}). */
    Fleet(long seed, Topology topology, Path dir, int deviceCount, IntFunction<URI> uris) throws SQLException {
        this.seed = seed;
        this.random = new Random(seed);
        this.topology = topology;
        this.poolSize = 10 + random.nextInt(15);
        this.dir = dir;
        this.uris = uris;
        for (int i = 0; i < deviceCount; i++) {
            int index = i;
            devices.add(new SimDevice("d" + i, dir.resolve("device-" + i + ".db"), uris.apply(i), topology.scope().name(),
                    () -> chaotic(index)));
            offline.add(false);
        }
    }

    /**
     * Adds two faults of a device's life: the app upgrades its schema ({@code ALTER TABLE item ADD COLUMN note}) on a
     * random device at a random step, running or stopped, so that old and new app versions write at once; and a
     * device's file is copied (an SD-card image, a restored backup) and the copy started as one more device. Before
     * the convergence check every device is upgraded, and the values written into {@code note} must be everywhere.
     */
    Fleet withUpgradesAndClones() {
        upgradesAndClones = true;
        return this;
    }

    /**
     * Devices with different table subscriptions: the even ones track {@code item} and {@code tag}, the odd ones
     * {@code item} only, and once a run an odd device starts tracking {@code tag} mid-run (its engine restarts, and
     * the table's state comes from the server). At the end every tracking device holds the server's tags, and the
     * others neither a tag row nor a parked tag change.
     */
    Fleet withSubscriptions() {
        subscriptions = true;
        for (int i = 0; i < devices.size(); i += 2) {
            devices.get(i).trackTags();
        }
        return this;
    }

    /**
     * One more device, of two scopes on its one connection (docs/protocol.md 3.9): {@code item} in the shared scope like
     * every device, {@code tag} in a scope of its own (labelled {@code own-...}), while the others' {@code tag} is the
     * shared scope's. At the end it holds the shared scope's items and its own scope's tags; the shared scope's tags
     * (server and devices) hold nothing of its own scope, and it nothing of theirs. A clone of its file is one more
     * device of both scopes.
     */
    Fleet withOwnScope() throws SQLException {
        int index = devices.size();
        devices.add(new SimDevice("d" + index, dir.resolve("device-" + index + ".db"), uris.apply(index), topology.scope().name(),
                topology.scope().name() + "-own", () -> chaotic(index)));
        offline.add(false);
        return this;
    }

    /** No duplicates, no delays (e.g. for fault tests that bring their own). */
    Fleet withoutChaos() {
        duplicate = 0;
        delay = 0;
        return this;
    }

    private ChaosClientTransport chaotic(int index) {
        ChaosClientTransport transport = new ChaosClientTransport(topology.newTransport(index, "d" + index),
                seed * 1_000 + transportsMade++, delays, duplicate, delay, topology.trace(), "d" + index);
        chaos.add(transport);
        return transport;
    }

    void startAll() {
        for (int i = 0; i < devices.size(); i++) {
            start(i);
        }
    }

    private void start(int index) {
        topology.trace().action("d" + index, "engine start", null);
        devices.get(index).startEngine();
        topology.deviceStarted(index, devices.get(index).engine().deviceId());
        offline.set(index, false);
    }

    /** One random step of the workload; {@code faults} false keeps it to writes only. */
    void step(boolean faults) throws SQLException, InterruptedException {
        Thread.sleep(random.nextInt(4)); // pacing, so live sync interleaves with the writes
        int index = random.nextInt(devices.size());
        SimDevice device = devices.get(index);
        if (faults && upgradesAndClones && lifeEvent(index)) {
            return;
        }
        if (faults && subscriptions && !trackedLater && !device.tracksTags() && !offline.get(index) && random.nextInt(40) == 0) {
            trackedLater = true;
            device.trackTags();
            topology.trace().action(device.name(), "app tracks tag too: engine restart", null);
            device.restart();
            topology.deviceStarted(index, device.engine().deviceId());
            return;
        }
        int roll = random.nextInt(100);
        if (roll < 78 || !faults) {
            write(device);
        }
        else if (roll < 86) {
            for (int i = 2 + random.nextInt(5); i > 0; i--) {
                write(device);
            }
        }
        else if (roll < 92) {
            if (!offline.get(index)) {
                device.transport().reconnect();
            }
        }
        else if (roll < 96) {
            if (!offline.get(index)) {
                topology.trace().action(device.name(), "engine stop", null);
                device.stopEngine();
                offline.set(index, true);
            }
        }
        else if (!offline.get(index)) {
            topology.trace().action(device.name(), "engine restart", null);
            device.restart();
            topology.deviceStarted(index, device.engine().deviceId());
        }
        for (int i = 0; i < offline.size(); i++) {
            if (offline.get(i) && random.nextInt(12) == 0) {
                start(i);
            }
        }
    }

    /** Now and then an app upgrade or (once a run) a clone of device {@code index}'s file; true when one happened. */
    private boolean lifeEvent(int index) throws SQLException {
        SimDevice device = devices.get(index);
        int roll = random.nextInt(200);
        if (roll < 2 && !device.upgraded()) {
            device.upgrade();
            topology.trace().action(device.name(), "app upgrade: ADD COLUMN note" + (offline.get(index) ? " (engine stopped)" : ""), null);
            return true;
        }
        if (roll == 2 && clones == 0) {
            int copy = devices.size();
            Path file = dir.resolve("device-" + copy + "-clone-of-" + index + ".db");
            device.copyTo(file);
            clones++;
            topology.trace().action(device.name(), "file copied to d" + copy, null);
            SimDevice clone = new SimDevice("d" + copy, file, uris.apply(copy), topology.scope().name(), device.ownScope(),
                    () -> chaotic(copy));
            if (device.tracksTags()) {
                clone.trackTags(); // the same app on a copied file
            }
            devices.add(clone);
            offline.add(true);
            start(copy);
            return true;
        }
        return false;
    }

    private void write(SimDevice device) throws SQLException {
        boolean own = device.ownScope() != null;
        if ((subscriptions || own) && device.tracksTags() && random.nextInt(4) == 0) {
            String tag = "k" + random.nextInt(8);
            String did = device.mutateTag(tag, random.nextInt(3), (own ? "own-l" : "l") + random.nextInt(100));
            if (did != null) {
                if (own) {
                    ownTagWrites++;
                }
                else {
                    tagWrites++;
                }
                topology.trace().action(device.name(), did, "tg-" + tag);
                return;
            }
        }
        String id = "r" + random.nextInt(poolSize);
        String text = random.nextInt(10) == 0 ? null : "t" + random.nextInt(1000);
        String did = device.mutate(id, random.nextInt(4), text, random.nextInt(10_000), random.nextInt(100_000) / 100.0 + 0.125);
        topology.trace().action(device.name(), did, SimDevice.globalId(id));
    }

    /** Brings every device online, stops the chaos, waits for quiescence and checks convergence. */
    void assertConverges(Duration atMost) {
        assertConverges(atMost, topology.store(), topology.scope());
    }

    /**
     * Like {@link #assertConverges(Duration)}, reading the server's state from {@code store}. When the devices do
     * not converge, a {@link DivergenceReport} is written first and the error names it.
     */
    void assertConverges(Duration atMost, ServerStore store, Scope scope) {
        try {
            awaitConvergence(atMost, store, scope);
        }
        catch (AssertionError | RuntimeException e) {
            String report = DivergenceReport.write("devices did not converge", seed, topology.kind().name(), topology.trace(),
                    store, scope, devices, e);
            String message = String.valueOf(e.getMessage());
            throw new AssertionError((message.length() > 400 ? message.substring(0, 400) + "..." : message) + "\nreport: " + report, e);
        }
    }

    private void awaitConvergence(Duration atMost, ServerStore store, Scope scope) {
        for (int i = 0; i < offline.size(); i++) {
            if (offline.get(i)) {
                start(i);
            }
        }
        if (upgradesAndClones) {
            for (SimDevice device : devices) {
                try {
                    if (device.upgrade()) {
                        topology.trace().action(device.name(), "app upgrade: ADD COLUMN note (before the check)", null);
                    }
                }
                catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        if (subscriptions && !trackedLater) {
            // the run's steps did not pick it: a device starts tracking tags now, so every run resyncs one
            for (int i = 1; i < devices.size() && !trackedLater; i += 2) {
                SimDevice device = devices.get(i);
                if (!device.tracksTags()) {
                    trackedLater = true;
                    device.trackTags();
                    topology.trace().action(device.name(), "app tracks tag too (before the check): engine restart", null);
                    device.restart();
                    topology.deviceStarted(i, device.engine().deviceId());
                }
            }
        }
        chaos.forEach(ChaosClientTransport::calm);
        await().atMost(atMost).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            long head = store.info(scope).head();
            StringBuilder state = new StringBuilder("head=" + head);
            boolean quiet = true;
            for (SimDevice device : devices) {
                PocketSyncDevice engine = device.engine();
                long pending = engine.pendingCount();
                long cursor = engine.cursor();
                List<String> joining = engine.tablesCatchingUp();
                state.append("; ").append(device.name()).append(" pending=").append(pending).append(" cursor=").append(cursor)
                        .append(joining.isEmpty() ? "" : " catching up " + joining);
                // a table tracked late arrives by a table catch-up of its own, after the cursor reached the head
                quiet &= pending == 0 && cursor == head && joining.isEmpty();
                if (device.ownScope() != null) {
                    // the device's other session: its own scope's history
                    long ownHead = store.info(Scope.of(device.ownScope())).head();
                    long ownCursor = engine.cursor(device.ownScope());
                    state.append(" own head=").append(ownHead).append(" cursor=").append(ownCursor);
                    quiet &= ownCursor == ownHead;
                }
            }
            assertThat(quiet).as("quiescence: %s", state).isTrue();
            assertThat(store.info(scope).head()).as("head moved").isEqualTo(head);
        });
        Map<String, Map<String, Object>> server = Canonical.serverRows(store, scope, SimDevice.TABLE);
        if (upgradesAndClones) {
            // a row no upgraded app wrote has no note on the server: a device reads NULL there
            server.values().forEach(row -> row.putIfAbsent("note", null));
        }
        for (SimDevice device : devices) {
            try {
                assertThat(device.rows()).as("%s equals the server", device.name()).isEqualTo(server);
            }
            catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
        Map<String, Map<String, Object>> tags = Canonical.serverRows(store, scope, SimDevice.TAGS);
        assertThat(tags.values()).as("the shared scope's tags hold none of a device's own scope")
                .noneMatch(row -> String.valueOf(row.get("label")).startsWith("own-"));
        OwnScopeCheck.assertOwnScopes(store, devices, ownTagWrites);
        if (subscriptions) {
            assertThat(tagWrites).as("tag writes of the run").isPositive();
            for (SimDevice device : devices) {
                try {
                    if (device.ownScope() != null) {
                        continue; // its tags are its own scope's (assertOwnScopes)
                    }
                    if (device.tracksTags()) {
                        assertThat(device.tagRows()).as("%s tags equal the server's", device.name()).isEqualTo(tags);
                    }
                    else {
                        assertThat(device.tagRowsAndTagDeadLetters()).as("%s, not tracking tags, holds none", device.name())
                                .isZero();
                    }
                }
                catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        ChecksumCheck.assertServerConsistent(store, scope);
        devices.stream().map(SimDevice::ownScope).filter(java.util.Objects::nonNull).distinct()
                .forEach(own -> ChecksumCheck.assertServerConsistent(store, Scope.of(own)));
        for (SimDevice device : devices) {
            ChecksumCheck.assertDeviceMatches(device.name(), device.engine(), device.repairs);
        }
    }

    List<SimDevice> devices() {
        return devices;
    }

    Random random() {
        return random;
    }

    /** Runs {@code steps} workload steps, calling {@code hook} before each (e.g. to inject a fault). */
    void run(int steps, boolean faults, IntFunction<Void> hook) throws SQLException, InterruptedException {
        for (int i = 0; i < steps; i++) {
            if (hook != null) {
                hook.apply(i);
            }
            step(faults);
        }
    }

    @Override
    public void close() {
        for (SimDevice device : devices) {
            try {
                device.close();
            }
            catch (SQLException | RuntimeException e) {
                // keep closing the others
            }
        }
        delays.shutdownNow();
    }
}
