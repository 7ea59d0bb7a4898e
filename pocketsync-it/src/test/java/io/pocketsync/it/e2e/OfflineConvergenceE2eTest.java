package io.pocketsync.it.e2e;

import static io.pocketsync.it.e2e.E2eHarness.awaitConverged;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.model.RowState;
import io.pocketsync.server.engine.conflict.ClientWinsResolver;
import io.pocketsync.server.engine.conflict.FieldMergeResolver;
import io.pocketsync.device.capture.TestDb;
import io.pocketsync.it.e2e.E2eHarness.Node;
import io.pocketsync.server.engine.ServerOptions;
import io.pocketsync.server.engine.TableResolvers;
import io.pocketsync.api.ErrorCode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Devices that go offline, edit, restart and come back: they catch up and end identical. */
class OfflineConvergenceE2eTest {
    @TempDir
    Path dir;
    E2eHarness harness;

    @AfterEach
    void tearDown() {
        if (harness != null) {
            harness.close();
        }
    }

    private E2eHarness harness(TableResolvers resolvers) {
        harness = new E2eHarness(dir, resolvers, ServerOptions.defaults());
        return harness;
    }

    @Test
    void anOfflineDeviceCatchesUpAndBothConverge() {
        harness(TableResolvers.lastWriteWins());
        Node a = harness.device("a");
        Node b = harness.device("b");
        for (int i = 0; i < 10; i++) {
            a.exec("INSERT INTO todo (id, title, done) VALUES (?, ?, 0)", "r" + i, "row " + i);
        }
        awaitConverged(a, b);

        a.offline();
        await().until(() -> !harness.network.isConnected(a.id()));
        a.exec("UPDATE todo SET done = 1 WHERE id IN ('r0', 'r1')");
        a.exec("DELETE FROM todo WHERE id = 'r2'");
        a.exec("INSERT INTO todo (id, title) VALUES ('a-new', 'made offline')");
        b.exec("UPDATE todo SET note = 'b was here' WHERE id IN ('r5', 'r6')");
        b.exec("DELETE FROM todo WHERE id = 'r7'");
        b.exec("INSERT INTO todo (id, title) VALUES ('b-new', 'made online')");
        // a row made by b and deleted by b while a is away is never seen by a
        b.exec("INSERT INTO todo (id, title) VALUES ('b-tmp', 'short lived')");
        b.exec("DELETE FROM todo WHERE id = 'b-tmp'");
        await().until(() -> b.engine.pendingCount() == 0);
        assertThat(a.engine.pendingCount()).isEqualTo(4);

        a.online();
        awaitConverged(a, b);
        assertThat(a.rows()).hasSize(10);
        assertThat(a.value("r0", "done")).isEqualTo(1);
        assertThat(a.value("r5", "note")).isEqualTo("b was here");
        assertThat(a.gid("r2")).isNull();
        assertThat(a.gid("r7")).isNull();
        assertThat(a.gid("b-new")).isEqualTo(b.gid("b-new"));
        assertThat(a.errors).isEmpty();
        assertThat(b.errors).isEmpty();
    }

    @Test
    void offlineWritesShowInTheChangeLogAndTableVersionsAtOnce() {
        harness(TableResolvers.lastWriteWins());
        Node a = harness.device("a");
        a.offline();
        await().until(() -> !harness.network.isConnected(a.id()));
        long version = a.db.count("SELECT version FROM __pocketsync_version WHERE tbl = 'todo'");
        // one transaction: two autocommit writes may be sealed in two rounds (two changes) if the engine looks in between
        a.db.exec(new String[] {"BEGIN", "INSERT INTO todo (id, title) VALUES ('o1', 'offline')",
                "UPDATE todo SET title = 'offline, edited' WHERE id = 'o1'", "COMMIT"});
        // no reconnect attempt is needed: the engine seals what it sees committed while offline
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(a.db.count("SELECT count(*) FROM __pocketsync_changes WHERE state = 'pending'")).isEqualTo(1);
            assertThat(a.db.count("SELECT count(*) FROM __pocketsync_journal")).isZero();
            assertThat(a.db.count("SELECT version FROM __pocketsync_version WHERE tbl = 'todo'")).isEqualTo(version + 2);
        });
        assertThat(harness.network.isConnected(a.id())).isFalse();
    }

    @Test
    void lastWriteWinsPicksTheLaterClockOnBothDevicesAndTheServer() {
        harness(TableResolvers.lastWriteWins());
        Node a = harness.device("a");
        Node b = harness.device("b");
        a.exec("INSERT INTO todo (id, title) VALUES ('x', 'first'), ('y', 'first')");
        awaitConverged(a, b);

        a.offline();
        await().until(() -> !harness.network.isConnected(a.id()));
        // x: the offline device writes first, the online one later -> the online write wins
        a.exec("UPDATE todo SET title = 'a early' WHERE id = 'x'");
        long aHlc = a.db.count("SELECT max(hlc) FROM __pocketsync_changes WHERE state = 'pending'");
        await().until(() -> hlcNow() > aHlc);
        b.exec("UPDATE todo SET title = 'b late' WHERE id = 'x'");
        // y: the online device writes first, the offline one later -> the offline write wins
        b.exec("UPDATE todo SET title = 'b early' WHERE id = 'y'");
        await().until(() -> b.engine.pendingCount() == 0);
        long bHlc = harness.serverRow(b.gid("y")).version().hlc().value();
        await().until(() -> hlcNow() > bHlc);
        a.exec("UPDATE todo SET title = 'a late' WHERE id = 'y'");

        a.online();
        awaitConverged(a, b);
        assertThat(a.value("x", "title")).isEqualTo("b late");
        assertThat(a.value("y", "title")).isEqualTo("a late");
        RowState x = harness.serverRow(a.gid("x"));
        RowState y = harness.serverRow(a.gid("y"));
        assertThat(x.row()).containsEntry("title", "b late");
        assertThat(x.version().deviceId()).isEqualTo(b.id());
        assertThat(y.row()).containsEntry("title", "a late");
        assertThat(y.version().deviceId()).isEqualTo(a.id());
        assertThat(a.db.count("SELECT count(*) FROM __pocketsync_changes WHERE state = 'superseded'")).isEqualTo(1);
    }

    @Test
    void fieldMergeKeepsConcurrentEditsOfDifferentColumnsOnBothDevices() {
        harness(TableResolvers.of(new FieldMergeResolver(), Map.of()));
        Node a = harness.device("a");
        Node b = harness.device("b");
        a.exec("INSERT INTO todo (id, title, note, done) VALUES ('x', 'title 0', 'note 0', 0)");
        awaitConverged(a, b);

        a.offline();
        await().until(() -> !harness.network.isConnected(a.id()));
        a.exec("UPDATE todo SET title = 'title by a' WHERE id = 'x'");
        b.exec("UPDATE todo SET note = 'note by b' WHERE id = 'x'");
        await().until(() -> b.engine.pendingCount() == 0);
        b.exec("UPDATE todo SET done = 1 WHERE id = 'x'");
        await().until(() -> b.engine.pendingCount() == 0);

        a.online();
        awaitConverged(a, b);
        for (Node node : new Node[] {a, b}) {
            assertThat(node.value("x", "title")).isEqualTo("title by a");
            assertThat(node.value("x", "note")).isEqualTo("note by b");
            assertThat(node.value("x", "done")).isEqualTo(1);
        }
        assertThat(harness.serverRow(a.gid("x")).row())
                .containsEntry("title", "title by a").containsEntry("note", "note by b").containsEntry("done", 1L);
    }

    @Test
    void serverWinsRollsBackTheLosingEditOnTheDeviceThatMadeIt() {
        harness(TableResolvers.of(new io.pocketsync.server.engine.conflict.ServerWinsResolver(), Map.of()));
        Node a = harness.device("a");
        Node b = harness.device("b");
        a.exec("INSERT INTO todo (id, title) VALUES ('x', 'first')");
        awaitConverged(a, b);

        // b already holds the server's state of x (same sequence); its own edit loses and must be undone on b
        b.exec("UPDATE todo SET title = 'second' WHERE id = 'x'");
        awaitConverged(a, b);

        assertThat(b.value("x", "title")).isEqualTo("first");
        assertThat(harness.serverRow(a.gid("x")).row()).containsEntry("title", "first");
    }

    @Test
    void clientWinsAppliesAPendingChangeThatLostLocallyOnEveryDevice() {
        harness(TableResolvers.of(new ClientWinsResolver(), Map.of()));
        Node a = harness.device("a");
        Node b = harness.device("b");
        a.exec("INSERT INTO todo (id, title) VALUES ('x', 'start')");
        awaitConverged(a, b);

        // a's pushes fail until b's later change has reached a, so a's change is still pending then
        harness.store.failAppliesFrom(a.id());
        a.exec("UPDATE todo SET title = 'by a' WHERE id = 'x'");
        await().until(() -> a.errorCodes.contains(ErrorCode.STORE_UNAVAILABLE));
        b.exec("UPDATE todo SET title = 'by b' WHERE id = 'x'");
        await().until(() -> "by b".equals(harness.serverRow(b.gid("x")).row().get("title")));
        // b's change is later, so it overwrites a's pending edit locally: a's edit lost on a, for now
        await().until(() -> "by b".equals(a.value("x", "title")));
        assertThat(a.engine.pendingCount()).isEqualTo(1);
        harness.store.failAppliesFrom(null);

        // client-wins: a's retried change is applied by the server after b's, so it is the final state everywhere
        await().until(() -> "by a".equals(harness.serverRow(b.gid("x")).row().get("title")));
        awaitConverged(a, b);
        assertThat(a.value("x", "title")).isEqualTo("by a");
        assertThat(b.value("x", "title")).isEqualTo("by a");
    }

    @Test
    void aRestartedDeviceResumesWithoutDuplicatesOrLoss() {
        harness(TableResolvers.lastWriteWins());
        Node a = harness.device("a");
        Node b = harness.device("b");
        a.exec("INSERT INTO todo (id, title) VALUES ('shared', 'before')");
        awaitConverged(a, b);
        String aId = a.id();

        a.offline();
        await().until(() -> !harness.network.isConnected(aId));
        for (int i = 0; i < 5; i++) {
            a.exec("INSERT INTO todo (id, title) VALUES (?, 'offline on a')", "a" + i);
        }
        a.engine.close();
        for (int i = 0; i < 3; i++) {
            b.exec("INSERT INTO todo (id, title) VALUES (?, 'while a was down')", "b" + i);
        }
        b.exec("UPDATE todo SET title = 'after' WHERE id = 'shared'");
        await().until(() -> b.engine.pendingCount() == 0);

        harness.network.setOnline(aId, true);
        Node restarted = harness.open(new TestDb(dir, "a.db"));
        assertThat(restarted.id()).isEqualTo(aId);
        awaitConverged(restarted, b);
        assertThat(restarted.rows()).hasSize(9);
        assertThat(restarted.db.count("SELECT count(DISTINCT id) FROM todo")).isEqualTo(9);
        assertThat(restarted.value("shared", "title")).isEqualTo("after");
        assertThat(harness.store.info(harness.scope()).head()).isEqualTo(1 + 5 + 3 + 1);
        assertThat(restarted.engine.cursor()).isEqualTo(harness.store.info(harness.scope()).head());
    }

    private static long hlcNow() {
        return System.currentTimeMillis() << 16;
    }
}
