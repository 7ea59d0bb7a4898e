package io.pocketsync.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.device.capture.TestDb;
import io.pocketsync.testkit.transport.InMemoryNetwork;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The status snapshot and the lambda registrations of {@link PocketSyncDevice}. */
class SyncStatusTest {
    @TempDir
    Path dir;
    InMemoryNetwork network;
    ScriptedSyncServer server;
    TestDb db;
    PocketSyncDevice device;

    @BeforeEach
    void setUp() {
        network = new InMemoryNetwork(100_000);
        server = new ScriptedSyncServer(network.serverTransport(), 1000);
        db = new TestDb(dir, "device.db");
        db.exec("CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT)");
        device = PocketSyncDevice.builder().dataSource(db.dataSource).tables("todo").scope("test-scope").token("secret")
                .server(URI.create("mem://server")).transport(network.clientTransport())
                .options(DeviceOptions.DEFAULTS.withPollInterval(Duration.ofMillis(20))).build();
    }

    @AfterEach
    void tearDown() {
        device.close();
        network.close();
    }

    @Test
    void aSnapshotGoesFromOfflineWithPendingChangesToConnectedToUpToDate() {
        network.setOnline(false);
        List<SyncStatus> seen = new CopyOnWriteArrayList<>();
        device.onStatus(seen::add);
        device.start();
        assertThat(device.status().connected()).isFalse();
        assertThat(device.status().lastSyncedAt()).as("never synced").isNull();

        db.exec("INSERT INTO todo (id, title) VALUES ('1', 'milk'), ('2', 'eggs')");
        await().until(() -> device.status().pendingCount() == 2);
        assertThat(device.status().connected()).isFalse();
        assertThat(device.status().isUpToDate()).isFalse();

        network.setOnline(true);
        await().until(() -> device.status().isUpToDate());
        SyncStatus synced = device.status();
        assertThat(synced.connected()).isTrue();
        assertThat(synced.pendingCount()).isZero();
        assertThat(synced.parkedCount()).isZero();
        assertThat(synced.isCatchingUp()).isFalse();
        assertThat(synced.lastSyncedAt()).isNotNull();
        assertThat(server.logCopy()).hasSize(2);

        // the listener saw the same story, in order: offline with two pending, connected and catching up, up to date
        await().until(() -> seen.stream().anyMatch(SyncStatus::isUpToDate));
        int offline = indexOf(seen, s -> !s.connected() && s.pendingCount() == 2);
        int catchingUp = indexOf(seen, s -> s.connected() && s.isCatchingUp());
        int upToDate = indexOf(seen, SyncStatus::isUpToDate);
        assertThat(seen.get(0)).isEqualTo(SyncStatus.INITIAL);
        assertThat(offline).isPositive();
        assertThat(catchingUp).isGreaterThan(offline);
        assertThat(upToDate).isGreaterThan(catchingUp);
    }

    @Test
    void aStatusListenerHearsNothingOnceItsSubscriptionIsClosed() {
        List<SyncStatus> first = new CopyOnWriteArrayList<>();
        Subscription subscription = device.onStatus(first::add);
        await().until(() -> !first.isEmpty());
        assertThat(first.get(0)).as("the current snapshot at once").isEqualTo(device.status());

        subscription.close();
        subscription.close(); // idempotent
        drainListenerExecutor();
        int heard = first.size();
        List<SyncStatus> second = new CopyOnWriteArrayList<>();
        try (Subscription later = device.onStatus(second::add)) {
            device.start();
            db.exec("INSERT INTO todo (id, title) VALUES ('1', 'milk')");
            await().until(() -> second.stream().anyMatch(s -> s.isUpToDate() && s.lastSyncedAt() != null));
            assertThat(second.size()).isGreaterThan(1);
        }
        assertThat(first).hasSize(heard);
    }

    @Test
    void errorsReachALambdaUntilItsSubscriptionIsClosed() {
        server.verdict = change -> ChangeResult.rejected(change.changeId(), ErrorCode.CLOCK_SKEW, "too far ahead");
        List<ErrorCode> errors = new CopyOnWriteArrayList<>();
        Subscription subscription = device.onError((code, message) -> errors.add(code));
        device.start();

        db.exec("INSERT INTO todo (id, title) VALUES ('1', 'bad')");
        await().until(() -> errors.contains(ErrorCode.CLOCK_SKEW));
        subscription.close();
        drainListenerExecutor();
        int heard = errors.size();

        db.exec("INSERT INTO todo (id, title) VALUES ('2', 'bad too')");
        await().until(() -> db.count("SELECT count(*) FROM __pocketsync_changes WHERE state = 'rejected'") == 2);
        drainListenerExecutor();
        assertThat(errors).hasSize(heard);
    }

    @Test
    void aFullListenerAndAWatchAreUnregisteredByTheirSubscriptions() {
        List<String> events = new CopyOnWriteArrayList<>();
        List<String> control = new CopyOnWriteArrayList<>();
        Subscription listener = device.addStatusListener(connections(events));
        device.addStatusListener(connections(control));
        List<Boolean> watched = new CopyOnWriteArrayList<>();
        Subscription watch = device.watch("todo", (table, remote) -> watched.add(remote));
        device.start();
        await().until(() -> events.contains("connected"));
        db.exec("INSERT INTO todo (id, title) VALUES ('1', 'milk')");
        await().until(() -> watched.size() == 1);

        listener.close();
        watch.close();
        network.setOnline(false);
        await().until(() -> !device.status().connected());
        network.setOnline(true);
        db.exec("INSERT INTO todo (id, title) VALUES ('2', 'eggs')");
        await().until(() -> control.size() == 2 && server.logCopy().size() == 2);
        await().until(() -> db.count("SELECT count(*) FROM __pocketsync_changes WHERE state = 'pending'") == 0);
        drainListenerExecutor();

        assertThat(control).containsExactly("connected", "connected");
        assertThat(events).containsExactly("connected");
        assertThat(watched).containsExactly(false);
    }

    private static SyncStatusListener connections(List<String> events) {
        return new SyncStatusListener() {
            @Override
            public void connected() {
                events.add("connected");
            }
        };
    }

    @Test
    void theDeviceIdIsKnownWithoutTheEngine() {
        assertThat(device.deviceId()).isNotBlank().isEqualTo(
                db.query("SELECT device_id FROM __pocketsync_device_state").get(0).get("device_id"));
    }

    /** Returns once the listener executor (one thread) has run every event handed to it before. */
    private void drainListenerExecutor() {
        List<SyncStatus> delivered = new CopyOnWriteArrayList<>();
        try (Subscription barrier = device.onStatus(delivered::add)) {
            await().until(() -> !delivered.isEmpty());
        }
    }

    private static int indexOf(List<SyncStatus> seen, Predicate<SyncStatus> match) {
        for (int i = 0; i < seen.size(); i++) {
            if (match.test(seen.get(i))) {
                return i;
            }
        }
        return -1;
    }
}
