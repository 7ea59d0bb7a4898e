package io.pocketsync.it.e2e;

import static io.pocketsync.it.e2e.E2eHarness.awaitConverged;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.device.DeviceOptions;
import io.pocketsync.it.e2e.E2eHarness.Node;
import io.pocketsync.server.engine.ServerOptions;
import io.pocketsync.server.engine.TableResolvers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention (full resync through SNAPSHOT pages) and refused changes, end to end. */
class ResyncAndRejectionE2eTest {
    private static final DeviceOptions FAST = DeviceOptions.DEFAULTS.withPollInterval(Duration.ofMillis(10));

    @TempDir
    Path dir;
    E2eHarness harness;

    @AfterEach
    void tearDown() {
        if (harness != null) {
            harness.close();
        }
    }

    private E2eHarness harness(ServerOptions options) {
        harness = new E2eHarness(dir, TableResolvers.lastWriteWins(), options);
        return harness;
    }

    /** Prunes every tombstone through the server's retention job (retention 0) until the horizon moved. */
    private void pruneEverything() {
        await().until(() -> {
            harness.server.pruneNow();
            return harness.store.info(harness.scope()).horizon() > 0;
        });
    }

    @Test
    void aDeviceBehindTheHorizonResyncsKeepsItsPendingWritesAndDropsRowsDeletedMeanwhile() {
        harness(ServerOptions.builder().retention(Duration.ZERO).build());
        Node a = harness.device("a");
        Node b = harness.device("b");
        for (int i = 0; i < 6; i++) {
            b.exec("INSERT INTO todo (id, title) VALUES (?, 'v1')", "r" + i);
        }
        awaitConverged(a, b);

        a.offline();
        await().until(() -> !harness.network.isConnected(a.id()));
        b.exec("DELETE FROM todo WHERE id IN ('r0', 'r1')");
        b.exec("UPDATE todo SET title = 'v2' WHERE id = 'r2'");
        b.exec("INSERT INTO todo (id, title) VALUES ('b-new', 'v1')");
        await().until(() -> b.engine.pendingCount() == 0);
        a.exec("INSERT INTO todo (id, title) VALUES ('a-offline', 'kept')");
        a.exec("UPDATE todo SET title = 'a edit' WHERE id = 'r3'");
        pruneEverything();
        assertThat(a.engine.cursor()).isLessThan(harness.store.info(harness.scope()).horizon());

        a.online();
        awaitConverged(a, b);
        assertThat(a.rows().keySet()).containsExactlyInAnyOrderElementsOf(b.rows().keySet());
        assertThat(a.gid("r0")).isNull();
        assertThat(a.gid("r1")).isNull();
        assertThat(b.value("a-offline", "title")).isEqualTo("kept");
        assertThat(b.value("r3", "title")).isEqualTo("a edit");
        assertThat(a.value("r2", "title")).isEqualTo("v2");
        assertThat(a.engine.cursor()).isEqualTo(harness.store.info(harness.scope()).head());
        assertThat(a.db.count("SELECT resync FROM __pocketsync_device_state")).isZero();
    }

    @Test
    void aResyncInterruptedByAReconnectRestartsAndStillDeletesWhatTheServerLost() {
        harness(ServerOptions.builder().retention(Duration.ZERO).pageRows(2).build());
        harness.inlineListeners = true;
        Node a = harness.device("a", FAST.withPullLimit(1));
        Node b = harness.device("b");
        for (int i = 0; i < 40; i++) {
            b.exec("INSERT INTO todo (id, title) VALUES (?, 'v1')", "r" + i);
        }
        awaitConverged(a, b);

        a.offline();
        await().until(() -> !harness.network.isConnected(a.id()));
        b.exec("DELETE FROM todo WHERE id IN ('r0', 'r20', 'r39')");
        for (int i = 0; i < 40; i += 3) {
            b.exec("UPDATE todo SET title = 'v2' WHERE id = ?", "r" + i);
        }
        await().until(() -> b.engine.pendingCount() == 0);
        pruneEverything();

        String aId = a.id();
        AtomicBoolean cut = new AtomicBoolean();
        a.progressHook = progress -> {
            // runs on a's engine thread right after a snapshot page was applied, before the next PULL
            if (progress.snapshot() && progress.batchesDone() == 5 && cut.compareAndSet(false, true)) {
                assertThat(a.db.count("SELECT resync FROM __pocketsync_device_state")).isEqualTo(1);
                harness.network.disconnect(aId);
            }
        };
        a.online();
        await().until(cut::get);
        await().until(() -> a.db.count("SELECT resync FROM __pocketsync_device_state") == 0);
        awaitConverged(a, b);
        assertThat(a.rows()).hasSize(37);
        assertThat(a.gid("r20")).isNull();
        assertThat(a.db.count("SELECT count(*) FROM __pocketsync_resync_rows")).isZero();
        // the second session restarted the snapshot from its first page
        assertThat(a.progress.stream().filter(p -> p.snapshot() && p.batchesDone() == 1)).hasSize(2);
    }

    @Test
    void aChangeRejectedForClockSkewIsReportedAndLaterChangesStillSync() {
        harness(ServerOptions.defaults());
        Node a = harness.device("a");
        Node b = harness.device("b");
        long farAhead = Hlc.of(System.currentTimeMillis() + Duration.ofHours(2).toMillis(), 0).value();
        a.exec("UPDATE __pocketsync_device_state SET hlc = ?", farAhead);
        a.exec("INSERT INTO todo (id, title) VALUES ('skewed', 'from the future')");
        await().until(() -> a.errorCodes.contains(ErrorCode.CLOCK_SKEW));
        // restamped and sent again (SkewedChanges), but the merged clock itself is ahead: restamps cannot go below it,
        // so after three it stays rejected
        await().until(() -> a.engine.pendingCount() == 0);
        assertThat(a.errorCodes.stream().filter(ErrorCode.CLOCK_SKEW::equals)).hasSize(1 + 3);
        assertThat(a.db.count("SELECT count(*) FROM __pocketsync_changes WHERE state = 'rejected'")).isEqualTo(1);

        // the clock is fixed; nothing is stuck behind the rejected change (the device clock is the later of the
        // state row's and the newest captured change's, see TriggerGenerator)
        a.exec("UPDATE __pocketsync_device_state SET hlc = 0");
        a.exec("UPDATE __pocketsync_changes SET hlc = 0");
        a.exec("INSERT INTO todo (id, title) VALUES ('fine', 'now')");
        await().until(() -> b.gid("fine") != null);
        assertThat(b.gid("skewed")).isNull();
        assertThat(harness.serverRow(a.gid("skewed"))).isNull();
        assertThat(harness.server.audit(harness.scope(), 0, 10)).as("refused once, then after each of 3 restamps").hasSize(4);
    }

    @Test
    void aChangeNoMessageCanCarryIsRejectedOnTheDeviceAndTheQueueMovesOn() {
        harness(ServerOptions.builder().maxMessageBytes(4096).build());
        Node a = harness.device("a");
        Node b = harness.device("b");
        a.exec("INSERT INTO todo (id, title) VALUES ('huge', ?)", "x".repeat(20_000));
        a.exec("INSERT INTO todo (id, title) VALUES ('after', 'ok')");
        await().until(() -> b.gid("after") != null);
        await().until(() -> a.errorCodes.contains(ErrorCode.ROW_TOO_LARGE));
        assertThat(a.engine.pendingCount()).isZero();
        assertThat(a.db.count("SELECT count(*) FROM __pocketsync_changes WHERE state = 'rejected'")).isEqualTo(1);
        assertThat(b.gid("huge")).isNull();
        assertThat(a.errors).anySatisfy(e -> assertThat(e).contains("cannot be sent").contains("4096"));
    }

    @Test
    void aChangeOverAServerLimitIsReportedAndDoesNotBlockLaterChanges() {
        harness(ServerOptions.builder().maxRowBytes(256).build());
        Node a = harness.device("a");
        Node b = harness.device("b");
        a.exec("INSERT INTO todo (id, title) VALUES ('big', ?)", "x".repeat(2000));
        a.exec("INSERT INTO todo (id, title) VALUES ('small', 'ok')");
        await().until(() -> b.gid("small") != null);
        await().until(() -> a.errorCodes.contains(ErrorCode.ROW_TOO_LARGE));
        assertThat(b.gid("big")).isNull();
        assertThat(a.engine.pendingCount()).isZero();
        a.exec("UPDATE todo SET title = 'still syncing' WHERE id = 'small'");
        await().until(() -> "still syncing".equals(b.value("small", "title")));
    }
}
