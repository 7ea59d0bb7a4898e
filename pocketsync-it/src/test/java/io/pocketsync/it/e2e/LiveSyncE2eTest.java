package io.pocketsync.it.e2e;

import static io.pocketsync.it.e2e.E2eHarness.awaitConverged;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.it.e2e.E2eHarness.Node;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Devices online together: every insert, update and delete reaches the others, both ways. */
class LiveSyncE2eTest {
    @TempDir
    Path dir;
    E2eHarness harness;

    @BeforeEach
    void setUp() {
        harness = new E2eHarness(dir);
    }

    @AfterEach
    void tearDown() {
        harness.close();
    }

    @Test
    void insertsUpdatesAndDeletesFlowBothWaysBetweenTwoDevices() {
        Node a = harness.device("a");
        Node b = harness.device("b");

        a.exec("INSERT INTO todo (id, title, done) VALUES ('1', 'milk', 0), ('2', 'eggs', 0)");
        await().until(() -> b.rows().size() == 2);
        b.exec("UPDATE todo SET done = 1, note = 'organic' WHERE id = '1'");
        await().until(() -> a.value("1", "done") instanceof Number n && n.longValue() == 1);
        b.exec("INSERT INTO todo (id, title, done) VALUES ('3', 'bread', 0)");
        a.exec("DELETE FROM todo WHERE id = '2'");
        await().until(() -> a.rows().size() == 2 && b.rows().size() == 2);
        awaitConverged(a, b);

        assertThat(a.rows().values()).extracting(row -> row.get("id")).containsExactlyInAnyOrder("1", "3");
        assertThat(harness.serverRow(a.gid("1")).row()).containsEntry("note", "organic").containsEntry("done", 1L);
        assertThat(a.errors).isEmpty();
        assertThat(b.errors).isEmpty();
    }

    @Test
    void aCommitOnTheDevicesOwnConnectionIsPushedWithoutWaitingForThePoll() throws Exception {
        // Polling so slow that only the commit hook can explain a push within the test's time.
        io.pocketsync.device.DeviceOptions slowPoll =
                io.pocketsync.device.DeviceOptions.DEFAULTS.withPollInterval(java.time.Duration.ofHours(1));
        Node a = harness.device("a", slowPoll);
        Node b = harness.device("b");
        await().until(() -> harness.server.sessionCount() == 2);

        try (java.sql.Connection connection = a.engine.connection()) {
            connection.setAutoCommit(false);
            try (java.sql.Statement statement = connection.createStatement()) {
                statement.executeUpdate("INSERT INTO todo (id, title, done) VALUES ('hook', 'pushed by the commit hook', 0)");
            }
            connection.commit();
        }

        await().atMost(java.time.Duration.ofSeconds(10)).until(() -> b.rows().size() == 1);
        assertThat(b.value("hook", "title")).isEqualTo("pushed by the commit hook");
        assertThat(a.engine.pendingCount()).isZero();
    }

    @Test
    void threeDevicesConvergeOnConcurrentWritesAndWatchersSeeTheRemoteFlag() {
        Node a = harness.device("a");
        Node b = harness.device("b");
        Node c = harness.device("c");
        List<Boolean> seenByC = new CopyOnWriteArrayList<>();
        List<Boolean> seenByA = new CopyOnWriteArrayList<>();
        c.engine.watch("todo", (table, remote) -> seenByC.add(remote));
        a.engine.watch("todo", (table, remote) -> seenByA.add(remote));

        for (int i = 0; i < 20; i++) {
            a.exec("INSERT INTO todo (id, title) VALUES (?, ?)", "a" + i, "from a " + i);
            b.exec("INSERT INTO todo (id, title) VALUES (?, ?)", "b" + i, "from b " + i);
        }
        await().until(() -> c.rows().size() == 40);
        b.exec("UPDATE todo SET title = 'edited by b' WHERE id LIKE 'a1%'");
        c.exec("DELETE FROM todo WHERE id IN ('b6', 'b7', 'b8', 'b9')");
        awaitConverged(a, b, c);

        assertThat(a.rows()).hasSize(36);
        assertThat(a.value("a10", "title")).isEqualTo("edited by b");
        await().until(() -> seenByC.contains(true) && seenByA.contains(true) && seenByA.contains(false));
        assertThat(harness.store.info(harness.scope()).head()).isGreaterThan(40);
        for (Node node : List.of(a, b, c)) {
            assertThat(node.errors).isEmpty();
            assertThat(node.db.count("SELECT count(*) FROM __pocketsync_dead_letter")).isZero();
        }
        // the server holds exactly what the devices hold
        for (var row : a.rows().entrySet()) {
            assertThat(harness.serverRow(row.getKey()).row()).containsEntry("title", row.getValue().get("title"));
        }
    }
}
