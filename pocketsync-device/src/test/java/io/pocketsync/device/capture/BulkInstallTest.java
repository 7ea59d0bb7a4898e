package io.pocketsync.device.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.capture.LocalChange;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Op;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Installing on a table that already holds a bulk of rows (at least {@link InstallSealing#ROUND}): the rows are journaled
 * at install and sealed by the push in rounds, once each, across restarts.
 */
class BulkInstallTest {
    private static final int ROWS = 25_000;

    @TempDir
    Path dir;
    TestDb db;
    SqliteTriggerCapture capture;

    @BeforeEach
    void setUp() {
        db = new TestDb(dir, "app.db");
        db.exec("CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT, done INTEGER)");
        db.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + ROWS + ")"
                + " INSERT INTO todo (id, title, done) SELECT 'row-' || i, 'title ' || i, i % 2 FROM n");
        capture = new SqliteTriggerCapture(db.dataSource, Clock.systemUTC(), CaptureOptions.DEFAULTS);
    }

    @AfterEach
    void tearDown() {
        capture.close();
    }

    @Test
    void theExistingRowsAreSealedByThePushRoundByRound() {
        capture.install(List.of("todo"));
        assertThat(db.count("SELECT count(*) FROM __pocketsync_changes")).isZero();
        assertThat(capture.pendingEstimate()).isEqualTo(ROWS);

        List<LocalChange> first = capture.pending(0, 1_000);

        assertThat(first).hasSize(1_000);
        assertThat(db.count("SELECT count(*) FROM __pocketsync_changes")).isEqualTo(InstallSealing.ROUND);
        assertThat(db.count("SELECT count(*) FROM __pocketsync_journal")).isEqualTo(ROWS - InstallSealing.ROUND);
        assertOncePerRow(capture.pending(0, 1_000_000));
    }

    @Test
    void aStartAfterInstallLeavesTheBulkToThePush() {
        capture.install(List.of("todo"));
        capture.install(List.of("todo")); // PocketSyncDevice installs at build and again at start

        assertThat(db.count("SELECT count(*) FROM __pocketsync_journal")).isEqualTo(ROWS);
        assertOncePerRow(capture.pending(0, 1_000_000));
    }

    @Test
    void aRestartInTheMiddleNeitherLosesNorRepeatsARow() {
        capture.install(List.of("todo"));
        List<String> sealedBefore = capture.pending(0, 1_000).stream().map(c -> c.change().globalId()).toList();
        capture.close(); // stopped (or killed) after a round was committed

        capture = new SqliteTriggerCapture(db.dataSource, Clock.systemUTC(), CaptureOptions.DEFAULTS);
        capture.install(List.of("todo"));
        List<LocalChange> all = capture.pending(0, 1_000_000);

        assertOncePerRow(all);
        assertThat(all.subList(0, sealedBefore.size())).extracting(c -> c.change().globalId()).isEqualTo(sealedBefore);
    }

    @Test
    void rowsWrittenDuringTheBulkAreCapturedAfterIt() {
        capture.install(List.of("todo"));
        capture.pending(0, 1_000);
        db.exec("INSERT INTO todo (id, title) VALUES ('late', 'written while sealing')");
        db.exec("UPDATE todo SET title = 'changed' WHERE id = 'row-" + ROWS + "'");

        List<Change> all = capture.pending(0, 1_000_000).stream().map(LocalChange::change).toList();

        // the UPDATE of a row not sealed yet coalesces into its INSERT, which carries the row as it is now
        assertThat(all).hasSize(ROWS + 1).extracting(Change::op).containsOnly(Op.INSERT);
        assertThat(all.get(ROWS - 1).row()).containsEntry("id", "row-" + ROWS).containsEntry("title", "changed");
        assertThat(all.get(ROWS).row()).containsEntry("id", "late");
        assertThat(all).extracting(c -> c.hlc().value()).isSorted();
    }

    /** One INSERT per existing row, each with its own id, and every row of the table has its id. */
    private void assertOncePerRow(List<LocalChange> changes) {
        assertThat(changes).hasSize(ROWS);
        assertThat(changes).extracting(c -> c.change().op()).containsOnly(Op.INSERT);
        Set<String> ids = new HashSet<>();
        Set<Object> keys = new HashSet<>();
        for (LocalChange change : changes) {
            ids.add(change.change().globalId());
            keys.add(change.change().row().get("id"));
        }
        assertThat(ids).hasSize(ROWS);
        assertThat(keys).hasSize(ROWS);
        assertThat(db.count("SELECT count(*) FROM todo WHERE ps_global_id IS NULL")).isZero();
        assertThat(db.count("SELECT count(*) FROM __pocketsync_journal")).isZero();
    }
}
