package io.pocketsync.core.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.capture.ApplyReport;
import io.pocketsync.api.capture.ChangeCapture;
import io.pocketsync.api.capture.DeviceState;
import io.pocketsync.api.capture.LocalChange;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangesMode;
import io.pocketsync.api.transport.Endpoint;
import io.pocketsync.core.device.capture.CaptureOptions;
import io.pocketsync.core.device.capture.SqliteTriggerCapture;
import io.pocketsync.core.device.capture.TestDb;
import io.pocketsync.testkit.transport.InMemoryNetwork;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's reads of the change log: none after an ACK or applied CHANGES when nothing new can be pending. */
class SyncLoopReadsTest {
    @TempDir
    Path dir;
    InMemoryNetwork network;
    ScriptedSyncServer server;
    final List<PocketSyncDevice> devices = new ArrayList<>();

    @BeforeEach
    void setUp() {
        network = new InMemoryNetwork(100_000);
        server = new ScriptedSyncServer(network.serverTransport(), 1000);
    }

    @AfterEach
    void tearDown() {
        devices.forEach(PocketSyncDevice::close);
        network.close();
    }

    @Test
    void acksAndRemoteChangesDoNotMakeTheEngineReadPendingChangesAgain() {
        TestDb a = database("a.db");
        TestDb b = database("b.db");
        CountingCapture capture = new CountingCapture(new SqliteTriggerCapture(a.dataSource, Clock.systemUTC(), CaptureOptions.DEFAULTS));
        PocketSyncDevice deviceA = device(a, capture);
        PocketSyncDevice deviceB = PocketSyncDevice.builder().dataSource(b.dataSource).tables("todo").scope("test-scope")
                .token("secret").server(URI.create("mem://server")).transport(network.clientTransport())
                .options(DeviceOptions.DEFAULTS.withPollInterval(Duration.ofMillis(20))).build();
        devices.add(deviceB);
        deviceB.start();

        a.exec("INSERT INTO todo (id, title, done) VALUES ('1', 'milk', 0)");
        await().until(() -> b.count("SELECT count(*) FROM todo") == 1);
        await().until(() -> a.count("SELECT count(*) FROM __pocketsync_changes WHERE state = 'pending'") == 0);
        deviceA.cursor(); // the engine has finished the ACK's task
        int reads = capture.pendingReads.get();

        b.exec("INSERT INTO todo (id, title, done) VALUES ('2', 'eggs', 0)");
        await().until(() -> a.count("SELECT count(*) FROM todo") == 2);
        deviceA.cursor(); // the engine has finished applying the CHANGES

        assertThat(capture.pendingReads.get()).isEqualTo(reads);
        assertThat(capture.pendingCounts.get()).isZero(); // no status listener: the change log is not counted
        // a new local commit is read and pushed as before
        a.exec("INSERT INTO todo (id, title, done) VALUES ('3', 'tea', 0)");
        await().until(() -> b.count("SELECT count(*) FROM todo") == 3);
        assertThat(capture.pendingReads.get()).isGreaterThan(reads);
    }

    private TestDb database(String name) {
        TestDb db = new TestDb(dir, name);
        db.exec("CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT, done INTEGER)");
        return db;
    }

    /** A device wired by hand around {@code capture}, as {@link PocketSyncDevice.Builder} wires one. */
    private PocketSyncDevice device(TestDb db, ChangeCapture capture) {
        ScheduledExecutorService engine = Executors.newSingleThreadScheduledExecutor();
        ExecutorService listeners = Executors.newSingleThreadExecutor();
        String deviceId;
        try {
            deviceId = engine.submit(() -> {
                capture.install(List.of("todo"));
                return capture.state().deviceId();
            }).get();
        }
        catch (Exception e) {
            throw new IllegalStateException(e);
        }
        Watchers watchers = new Watchers(db.dataSource, listeners);
        SyncLoop loop = new SyncLoop(capture, network.clientTransport(), new Endpoint(URI.create("mem://server"), "test-scope", deviceId),
                "secret", DeviceOptions.DEFAULTS.withPollInterval(Duration.ofMillis(20)), watchers, engine, listeners,
                SyncStatusListener.NONE);
        PocketSyncDevice device = new PocketSyncDevice(capture, db.dataSource, List.of("todo"), "test-scope", loop, watchers, engine,
                listeners);
        devices.add(device);
        device.start();
        return device;
    }

    /** Forwards to a real capture and counts the reads of pending changes. */
    private static final class CountingCapture implements ChangeCapture {
        final AtomicInteger pendingReads = new AtomicInteger();
        final AtomicInteger pendingCounts = new AtomicInteger();
        private final ChangeCapture delegate;

        CountingCapture(ChangeCapture delegate) {
            this.delegate = delegate;
        }

        @Override
        public void install(List<String> tables) {
            delegate.install(tables);
        }

        @Override
        public boolean refreshSchema() {
            return delegate.refreshSchema();
        }

        @Override
        public long changeCounter() {
            return delegate.changeCounter();
        }

        @Override
        public Map<String, Long> tableVersions() {
            return delegate.tableVersions();
        }

        @Override
        public void bindScope(String scope) {
            delegate.bindScope(scope);
        }

        @Override
        public List<LocalChange> pending(long afterLocalSequence, int limit) {
            pendingReads.incrementAndGet();
            return delegate.pending(afterLocalSequence, limit);
        }

        @Override
        public long ownChangesFrom(long cursor) {
            return delegate.ownChangesFrom(cursor);
        }

        @Override
        public long pendingCount() {
            pendingCounts.incrementAndGet();
            return delegate.pendingCount();
        }

        @Override
        public ApplyReport acknowledge(List<ChangeResult> results) {
            return delegate.acknowledge(results);
        }

        @Override
        public ApplyReport apply(List<Change> changes, long fromCursor, long toCursor, ChangesMode mode, boolean lastPage) {
            return delegate.apply(changes, fromCursor, toCursor, mode, lastPage);
        }

        @Override
        public ApplyReport apply(List<Change> changes, List<Long> sequences, long fromCursor, long toCursor, ChangesMode mode,
                boolean lastPage) {
            return delegate.apply(changes, sequences, fromCursor, toCursor, mode, lastPage);
        }

        @Override
        public DeviceState state() {
            return delegate.state();
        }

        @Override
        public void mergeClock(Hlc remote) {
            delegate.mergeClock(remote);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
