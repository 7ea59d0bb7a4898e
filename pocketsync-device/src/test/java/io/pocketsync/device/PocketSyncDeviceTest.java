package io.pocketsync.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.capture.ChangeCapture;
import io.pocketsync.api.capture.LocalChange;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.transport.Endpoint;
import io.pocketsync.device.capture.CaptureOptions;
import io.pocketsync.device.capture.SqliteTriggerCapture;
import io.pocketsync.device.capture.TestDb;
import io.pocketsync.testkit.capture.ForwardingChangeCapture;
import io.pocketsync.testkit.transport.InMemoryNetwork;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PocketSyncDeviceTest {
    @TempDir
    Path dir;
    InMemoryNetwork network;
    ScriptedSyncServer server;
    final List<PocketSyncDevice> devices = new ArrayList<>();
    final List<String> errors = new CopyOnWriteArrayList<>();

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

    private TestDb database(String name) {
        TestDb db = new TestDb(dir, name);
        db.exec("CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT, done INTEGER)");
        return db;
    }

    private PocketSyncDevice device(TestDb db) {
        PocketSyncDevice device = PocketSyncDevice.builder().dataSource(db.dataSource).tables("todo").scope("test-scope")
                .token("secret").server(URI.create("mem://server")).transport(network.clientTransport())
                .options(DeviceOptions.DEFAULTS.withPollInterval(Duration.ofMillis(20)).withPushBatchSize(1000))
                .statusListener(new SyncStatusListener() {
                    @Override
                    public void error(ErrorCode code, String message) {
                        errors.add(code + " " + message);
                    }
                })
                .build();
        devices.add(device);
        device.start();
        return device;
    }

    @Test
    void liveSyncFiresWatchersOncePerCommitWithTheRightFlag() {
        TestDb a = database("a.db");
        TestDb b = database("b.db");
        PocketSyncDevice deviceA = device(a);
        PocketSyncDevice deviceB = device(b);
        List<Boolean> eventsA = new CopyOnWriteArrayList<>();
        List<Boolean> eventsB = new CopyOnWriteArrayList<>();
        List<Integer> queryB = new CopyOnWriteArrayList<>();
        deviceA.watch("todo", (table, remote) -> eventsA.add(remote));
        deviceB.watch("todo", (table, remote) -> eventsB.add(remote));
        deviceB.watchQuery("SELECT * FROM todo WHERE done = ?", List.of(0), (rows, remote) -> queryB.add(rows.size()));

        a.exec("INSERT INTO todo (id, title, done) VALUES ('1', 'milk', 0), ('2', 'eggs', 0)");
        await().until(() -> b.count("SELECT count(*) FROM todo") == 2);
        await().until(() -> eventsB.size() == 1 && eventsA.size() == 1);
        a.exec("UPDATE todo SET done = 1 WHERE id = '1'");
        await().until(() -> b.count("SELECT count(*) FROM todo WHERE done = 1") == 1);
        await().until(() -> eventsB.size() == 2 && eventsA.size() == 2);
        assertThat(eventsA).containsExactly(false, false);
        assertThat(eventsB).containsExactly(true, true);
        await().until(() -> queryB.size() == 2);
        assertThat(queryB).containsExactly(2, 1);
        assertThat(deviceA.pendingCount()).isZero();
        assertThat(deviceB.pendingCount()).isZero();
        assertThat(b.count("SELECT count(*) FROM __pocketsync_changes")).isZero();
        assertThat(errors).isEmpty();
    }

    @Test
    void aChangeAnAckDoesNotNameIsSentAgainWithoutAnotherCommit() {
        TestDb a = database("a.db");
        device(a);
        java.util.concurrent.atomic.AtomicBoolean leftOut = new java.util.concurrent.atomic.AtomicBoolean();
        // the first time it arrives, the change of row 2 is neither stored nor answered
        server.unanswered = change -> change.row().get("id").equals("2") && leftOut.compareAndSet(false, true);
        a.exec("INSERT INTO todo (id, title, done) VALUES ('1', 'milk', 0), ('2', 'eggs', 0)");
        await().untilTrue(leftOut);
        // no further commit: the ACK that left it out must make the device send it again
        await().until(() -> server.logCopy().stream().anyMatch(change -> change.row().get("id").equals("2")));
        assertThat(server.logCopy()).hasSize(2);
        assertThat(errors).isEmpty();
    }

    @Test
    void shellWritesAndSchemaChangesWhileRunningReachTheOtherDevice() {
        TestDb a = database("a.db");
        TestDb b = database("b.db");
        device(a);
        device(b);
        a.shell("INSERT INTO todo (id, title) VALUES ('s', 'from the shell');");
        await().until(() -> b.count("SELECT count(*) FROM todo WHERE title = 'from the shell'") == 1);
        b.shell("ALTER TABLE todo ADD COLUMN tag TEXT;");
        a.shell("ALTER TABLE todo ADD COLUMN tag TEXT;");
        a.shell("INSERT INTO todo (id, title, tag) VALUES ('t', 'tagged', 'red');");
        await().until(() -> b.count("SELECT count(*) FROM todo WHERE tag = 'red'") == 1);
        b.exec("UPDATE todo SET tag = 'blue' WHERE id = 's'");
        await().until(() -> a.count("SELECT count(*) FROM todo WHERE tag = 'blue'") == 1);
        assertThat(errors).isEmpty();
    }

    @Test
    void offlineQueueOf100kChangesDrainsInOrder() throws Exception {
        TestDb a = database("a.db");
        network.setOnline(false);
        PocketSyncDevice deviceA = device(a);
        try (Connection c = a.dataSource.getConnection();
                PreparedStatement insert = c.prepareStatement("INSERT INTO todo (id, title, done) VALUES (?, ?, 0)")) {
            c.setAutoCommit(false);
            for (int i = 0; i < 100_000; i++) {
                insert.setString(1, "r" + i);
                insert.setString(2, "row " + i);
                insert.addBatch();
            }
            insert.executeBatch();
            c.commit();
        }
        // sealing 100k rows takes the engine a while on a busy machine: pendingCount() answers TIMEOUT meanwhile
        await().atMost(Duration.ofMinutes(2)).ignoreExceptionsInstanceOf(PocketSyncException.class)
                .until(() -> deviceA.pendingCount() == 100_000);
        network.setOnline(true);
        await().atMost(Duration.ofMinutes(2)).ignoreExceptionsInstanceOf(PocketSyncException.class)
                .until(() -> deviceA.pendingCount() == 0);
        List<Change> log = server.logCopy();
        assertThat(log).hasSize(100_000);
        for (int i = 0; i < log.size(); i++) {
            assertThat(log.get(i).row().get("id")).isEqualTo("r" + i);
        }
    }

    @Test
    void offlineEditsCatchUpAndConflictsConverge() {
        TestDb a = database("a.db");
        TestDb b = database("b.db");
        PocketSyncDevice deviceA = device(a);
        device(b);
        a.exec("INSERT INTO todo (id, title) VALUES ('c', 'start')");
        await().until(() -> b.count("SELECT count(*) FROM todo") == 1);

        network.setOnline(false);
        b.exec("UPDATE todo SET title = 'b-earlier' WHERE id = 'c'");
        // "later" by the wall clock the HLC is built from: in the same millisecond the two writes would be
        // concurrent, and the tie would go by device id
        long written = System.currentTimeMillis();
        await().until(() -> System.currentTimeMillis() > written);
        a.exec("UPDATE todo SET title = 'a-later' WHERE id = 'c'");
        a.exec("INSERT INTO todo (id, title) VALUES ('n1', 'new'), ('n2', 'new')");
        network.setOnline(true);

        await().until(() -> b.count("SELECT count(*) FROM todo") == 3);
        await().until(() -> b.count("SELECT count(*) FROM todo WHERE title = 'a-later'") == 1
                && a.count("SELECT count(*) FROM todo WHERE title = 'a-later'") == 1);
        await().until(() -> deviceA.cursor() == server.head());
        assertThat(a.query("SELECT id, title FROM todo ORDER BY id")).isEqualTo(b.query("SELECT id, title FROM todo ORDER BY id"));
    }

    @Test
    void rejectedChangesAreKeptAndReported() {
        TestDb a = database("a.db");
        server.verdict = change -> "bad".equals(change.row().get("title"))
                ? ChangeResult.rejected(change.changeId(), ErrorCode.CLOCK_SKEW, "too far ahead") : null;
        PocketSyncDevice deviceA = device(a);
        a.exec("INSERT INTO todo (id, title) VALUES ('x', 'bad'), ('y', 'good')");
        await().until(() -> errors.stream().anyMatch(e -> e.startsWith("CLOCK_SKEW")));
        await().until(() -> deviceA.pendingCount() == 0);
        assertThat(a.query("SELECT state FROM __pocketsync_changes ORDER BY seq")).extracting(r -> r.get("state"))
                .containsExactly("rejected", "acked");
        assertThat(server.logCopy()).hasSize(1);
    }

    /** The engine's reads of the change log: none after an ACK or applied CHANGES when nothing new can be pending. */
    @Test
    void acksAndRemoteChangesDoNotMakeTheEngineReadPendingChangesAgain() {
        TestDb a = database("a.db");
        TestDb b = database("b.db");
        CountingCapture capture = new CountingCapture(new SqliteTriggerCapture(a.dataSource, Clock.systemUTC(), CaptureOptions.DEFAULTS));
        PocketSyncDevice deviceA = handWiredDevice(a, capture);
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

    /** A device wired by hand around {@code capture}, as {@link PocketSyncDeviceBuilder} wires one. */
    private PocketSyncDevice handWiredDevice(TestDb db, ChangeCapture capture) {
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
        StatusBoard status = new StatusBoard(listeners, Clock.systemUTC(), SyncStatusListener.NONE);
        EngineThread engineThread = new EngineThread(engine, status::engineFailed);
        SyncLoop loop = new SyncLoop(capture, network.clientTransport(), new Endpoint(URI.create("mem://server"), "test-scope", deviceId),
                () -> "secret", DeviceOptions.DEFAULTS.withPollInterval(Duration.ofMillis(20)), watchers, engineThread, status);
        PocketSyncDevice device = new PocketSyncDevice(capture, java.util.Map.of("test-scope", capture), db.dataSource, List.of("todo"),
                deviceId, new DeviceLoops(java.util.Map.of("test-scope", loop), java.util.Map.of("test-scope", status)), watchers,
                status, engineThread, listeners);
        devices.add(device);
        device.start();
        return device;
    }

    /** Forwards to a real capture and counts the reads of pending changes. */
    private static final class CountingCapture extends ForwardingChangeCapture {
        final AtomicInteger pendingReads = new AtomicInteger();
        final AtomicInteger pendingCounts = new AtomicInteger();

        CountingCapture(ChangeCapture delegate) {
            super(delegate);
        }

        @Override
        public List<LocalChange> pending(long afterLocalSequence, int limit) {
            pendingReads.incrementAndGet();
            return super.pending(afterLocalSequence, limit);
        }

        @Override
        public long pendingCount() {
            pendingCounts.incrementAndGet();
            return super.pendingCount();
        }
    }
}
