package io.pocketsync.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ChangesMode;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Welcome;
import io.pocketsync.api.store.AuditEntry;
import io.pocketsync.testkit.store.InMemoryServerStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The operators' view and controls of {@link ServerAdmin}, on the in-memory store and connections. */
class ServerAdminTest {
    private static final Scope SCOPE = Scope.of("scope-admin");

    private final InMemoryServerStore store = new InMemoryServerStore();
    private final ServerHarness harness = new ServerHarness(store, SCOPE.name());
    private final ServerAdmin admin = harness.server().admin();

    @AfterEach
    void close() {
        harness.close();
        store.close();
    }

    private ServerHarness.Device hello(ServerHarness node, String device, long cursor) {
        ServerHarness.Device opened = node.open(device);
        opened.send(new Hello(ProtocolVersion.CURRENT, device, SCOPE.name(), "secret-" + SCOPE.name(), cursor,
                Hlc.of(ServerHarness.NOW_MILLIS, 0)));
        return opened;
    }

    @Test
    void aRevokedDeviceLosesItsSessionAndIsRefusedUntilAllowed() {
        ServerHarness.Device device = harness.connect("dev-a", 0);
        ServerHarness.Device other = harness.connect("dev-b", 0);

        assertThat(admin.revoke(SCOPE, "dev-a", "lost\nphone")).isEqualTo(1);

        await().until(() -> !device.connection().isOpen());
        assertThat(device.connection().closeCode()).isEqualTo(ErrorCode.DEVICE_REVOKED);
        assertThat(other.connection().isOpen()).isTrue();
        ServerHarness.Device again = hello(harness, "dev-a", 0);
        await().until(() -> !again.connection().isOpen());
        assertThat(again.connection().closeCode()).isEqualTo(ErrorCode.DEVICE_REVOKED);
        assertThat(again.connection().sent(Welcome.class)).isEmpty();
        DeviceStatus status = admin.device(SCOPE, "dev-a").orElseThrow();
        assertThat(status.connected()).isFalse();
        assertThat(status.revokeReason()).isEqualTo("lost phone");
        assertThat(status.revokedAt()).isEqualTo(harness.clock().instant());

        assertThat(admin.allow(SCOPE, "dev-a")).isTrue();
        assertThat(admin.allow(SCOPE, "dev-a")).as("allowed already").isFalse();
        harness.connect("dev-a", 0);
        assertThat(admin.device(SCOPE, "dev-a").orElseThrow().revokedAt()).isNull();
    }

    @Test
    void aRevocationThroughAnotherNodeEndsTheSessionHereAtTheNextSweep() {
        InMemoryServerStore otherStore = store.sharing("node-2");
        ServerHarness other = new ServerHarness(otherStore, SCOPE.name(), TableResolvers.lastWriteWins(),
                ServerOptions.builder().nodeId("node-2").build());
        try {
            ServerHarness.Device device = harness.connect("dev-a", 0);

            assertThat(other.server().admin().revoke(SCOPE, "dev-a", null)).as("not live on node-2").isZero();
            harness.server().sweepNow();

            await().until(() -> !device.connection().isOpen());
            assertThat(device.connection().closeCode()).isEqualTo(ErrorCode.DEVICE_REVOKED);
        }
        finally {
            other.close();
        }
    }

    @Test
    void aLiveDeviceAskedToResyncIsToldOnceAndItsNextPullIsASnapshotFromZero() {
        ServerHarness.Device writer = harness.connect("dev-w", 0);
        writer.push(writer.insert("g1", 1, Map.of("title", "one")), writer.insert("g2", 2, Map.of("title", "two")));
        ServerHarness.Device device = harness.connect("dev-a", 2);

        assertThat(admin.resync(SCOPE, "dev-a")).isEqualTo(1);
        harness.server().sweepNow();

        ErrorMessage told = device.await(ErrorMessage.class, error -> error.code() == ErrorCode.RESYNC_REQUIRED);
        assertThat(told.message()).contains("operator");
        assertThat(admin.device(SCOPE, "dev-a").orElseThrow().resyncPending()).isTrue();
        Changes page = device.pull(2, 1);
        assertThat(page.mode()).isEqualTo(ChangesMode.SNAPSHOT);
        assertThat(page.fromCursor()).isZero();
        assertThat(page.hasMore()).isTrue();
        assertThat(admin.device(SCOPE, "dev-a").orElseThrow().resyncPending()).as("until the snapshot is sent in full").isTrue();
        Changes last = device.pull(page.cursor(), 10);
        assertThat(last.mode()).isEqualTo(ChangesMode.SNAPSHOT);
        assertThat(last.hasMore()).isFalse();
        assertThat(admin.device(SCOPE, "dev-a").orElseThrow().resyncPending()).isFalse();
        assertThat(device.pull(2, 10).mode()).as("done: a plain catch-up again").isEqualTo(ChangesMode.CATCH_UP);
        assertThat(device.connection().sent(ErrorMessage.class)).hasSize(1);
    }

    @Test
    void aDisconnectedDeviceAskedToResyncGetsItInItsNextSession() {
        ServerHarness.Device writer = harness.connect("dev-w", 0);
        writer.push(writer.insert("g1", 1, Map.of("title", "one")));
        harness.connect("dev-a", 1).connection().close(null, null);

        assertThat(admin.resync(SCOPE, "dev-a")).isZero();

        ServerHarness.Device device = harness.connect("dev-a", 1);
        assertThat(device.await(Welcome.class, w -> true).resyncRequired()).isTrue();
        Changes page = device.pull(1, 10);
        assertThat(page.mode()).isEqualTo(ChangesMode.SNAPSHOT);
        assertThat(page.changes()).hasSize(1);
        // the server marks the request served right after it sent the last page, which the device may read first
        org.awaitility.Awaitility.await().until(() -> !admin.device(SCOPE, "dev-a").orElseThrow().resyncPending());
        ServerHarness.Device later = harness.connect("dev-a", 1);
        assertThat(later.await(Welcome.class, w -> true).resyncRequired()).as("served once").isFalse();
    }

    @Test
    void devicesShowTheirSessionWhileLiveAndTheirLastSightingAfter() {
        ServerHarness.Device writer = harness.connect("dev-w", 0);
        writer.push(writer.insert("g1", 1, Map.of("title", "one")), writer.insert("g2", 2, Map.of("title", "two")));
        ServerHarness.Device device = harness.connect("dev-a", 1);

        DeviceStatus live = admin.device(SCOPE, "dev-a").orElseThrow();
        assertThat(live.connected()).isTrue();
        assertThat(live.node()).isEqualTo("test-node");
        assertThat(live.sessionId()).isNotNull();
        assertThat(live.transport()).isEqualTo("test");
        assertThat(live.cursor()).isEqualTo(1);
        assertThat(live.lag()).isEqualTo(1);
        assertThat(live.pushesWaiting()).isZero();
        assertThat(admin.device(SCOPE, "dev-w").orElseThrow().changesReceived()).isEqualTo(2);
        assertThat(admin.devices(SCOPE)).extracting(DeviceStatus::deviceId).containsExactly("dev-a", "dev-w");

        device.pull(1, 10);
        assertThat(admin.device(SCOPE, "dev-a").orElseThrow().lag()).isZero();
        harness.clock().advance(Duration.ofMinutes(5));
        device.connection().close(null, null);
        await().until(() -> !admin.device(SCOPE, "dev-a").orElseThrow().connected());
        harness.server().sweepNow();

        InMemoryServerStore otherStore = store.sharing("node-2");
        ServerHarness other = new ServerHarness(otherStore, SCOPE.name(), TableResolvers.lastWriteWins(),
                ServerOptions.builder().nodeId("node-2").build());
        try {
            DeviceStatus seen = other.server().admin().device(SCOPE, "dev-a").orElseThrow();
            assertThat(seen.connected()).isFalse();
            assertThat(seen.node()).isEqualTo("test-node");
            assertThat(seen.lastSeen()).isEqualTo(harness.clock().instant());
            assertThat(seen.cursor()).isEqualTo(2);
            assertThat(seen.pushesWaiting()).isEqualTo(-1);
            DeviceStatus elsewhere = other.server().admin().device(SCOPE, "dev-w").orElseThrow();
            assertThat(elsewhere.connected()).as("live on test-node, by its sighting").isTrue();
            assertThat(other.server().admin().nodes()).containsKeys("test-node", "node-2");
        }
        finally {
            other.close();
        }
        assertThat(admin.device(SCOPE, "never-seen")).isEmpty();
    }

    @Test
    void aRejectedChangeCanBeRetriedOnceAndReachesEveryDeviceItsOriginIncluded() {
        ServerHarness.Device origin = harness.connect("dev-a", 0);
        ServerHarness.Device other = harness.connect("dev-b", 0);
        origin.push(origin.insert("g1", 6 * 60_000, Map.of("title", "from the future")));
        origin.push(origin.insert("g2", 50, Map.of("title", "new")), origin.update("g2", 10, Map.of("title", "old"), "title"));
        List<AuditEntry> audit = admin.audit(SCOPE, 0, 10);
        AuditEntry rejected = audit.get(0);
        assertThat(rejected.errorCode()).isEqualTo(ErrorCode.CLOCK_SKEW);

        harness.clock().advance(Duration.ofMinutes(2));
        AuditHandling retried = admin.retry(SCOPE, rejected.id());

        assertThat(retried.action()).isEqualTo("retried");
        assertThat(retried.outcome()).isEqualTo("APPLIED");
        assertThat(store.row(SCOPE, "items", "g1").orElseThrow().row()).containsEntry("title", "from the future");
        for (ServerHarness.Device device : List.of(origin, other)) {
            await().until(() -> device.live().stream().flatMap(changes -> changes.changes().stream())
                    .anyMatch(change -> change.changeId().equals(retried.changeId())
                            && change.deviceId().equals(ServerAdmin.OPERATOR_DEVICE)));
        }
        assertThat(admin.handled(SCOPE)).containsKey(rejected.id());
        assertThatThrownBy(() -> admin.retry(SCOPE, rejected.id())).isInstanceOfSatisfying(PocketSyncException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_FIELD));
        assertThatThrownBy(() -> admin.drop(SCOPE, audit.get(1).id())).as("a conflict, not a rejection")
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_FIELD));
        assertThatThrownBy(() -> admin.drop(SCOPE, 99)).isInstanceOfSatisfying(PocketSyncException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    void aDroppedRejectionIsRecordedAndTheScopeShowsItsRecentRowsAndCounts() {
        ServerHarness.Device origin = harness.connect("dev-a", 0);
        origin.push(origin.insert("g1", 6 * 60_000, Map.of("title", "skewed")));
        origin.push(origin.insert("g2", 1, Map.of("title", "two")), origin.insert("g3", 2, Map.of("title", "three")));

        AuditHandling dropped = admin.drop(SCOPE, 1);

        assertThat(dropped.action()).isEqualTo("dropped");
        assertThat(admin.handled(SCOPE).get(1L).action()).isEqualTo("dropped");
        assertThat(admin.recentRows(SCOPE, 10)).extracting(row -> row.globalId()).containsExactly("g3", "g2");
        assertThat(admin.recentRows(SCOPE, 1)).extracting(row -> row.globalId()).containsExactly("g3");
        assertThat(admin.rowCounts(SCOPE)).isEqualTo(Map.of("items", 2L));
        assertThat(admin.scopes()).containsExactly(SCOPE);
        assertThat(admin.liveSessions()).isEqualTo(Map.of(SCOPE, 1));
    }
}
