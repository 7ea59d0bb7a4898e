package io.pocketsync.device.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.capture.LocalChange;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.protocol.ChangesMode;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A change refused SCOPE_READ_ONLY puts the row back to the server's state, without capturing that as a write. */
class ReadOnlyRevertTest {
    @TempDir
    Path dir;
    TestDb db;
    SqliteTriggerCapture capture;
    final long now = Hlc.of(System.currentTimeMillis(), 0).value();

    @BeforeEach
    void setUp() {
        db = new TestDb(dir, "device.db");
        db.exec("CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT)");
        capture = new SqliteTriggerCapture(db.dataSource, Clock.systemUTC(), CaptureOptions.DEFAULTS);
        capture.install(List.of("todo"));
        capture.apply(List.of(new Change("c1", "todo", "gx", Op.INSERT, Map.of("id", "x", "title", "server"), List.of(),
                new Hlc(now - 100_000), "device-e")), List.of(1L), 0, 1, ChangesMode.LIVE, true);
    }

    @AfterEach
    void tearDown() {
        capture.close();
    }

    private List<Map<String, Object>> rows() {
        return db.query("SELECT id, title FROM todo ORDER BY id");
    }

    @Test
    void aRefusedEditIsOverwrittenWithTheServersRowAndLaterEditsOfItAreGivenUp() {
        db.exec("UPDATE todo SET title = 'local-1' WHERE id = 'x'");
        LocalChange first = capture.pending(0, 10).get(0);
        db.exec("UPDATE todo SET title = 'local-2' WHERE id = 'x'");
        Change winner = new Change("c1", "todo", "gx", Op.UPDATE, Map.of("id", "x", "title", "server"), List.of(),
                new Hlc(now - 100_000), "device-e");

        capture.acknowledge(List.of(new ChangeResult(first.change().changeId(), ChangeStatus.REJECTED, 1, winner,
                ErrorCode.SCOPE_READ_ONLY, "read only")));

        assertThat(rows()).containsExactly(Map.of("id", "x", "title", "server"));
        // neither the refused edits nor the revert are left to push
        assertThat(capture.pending(0, 10)).isEmpty();
        assertThat(db.query("SELECT state, reason FROM " + SystemTables.CHANGES + " ORDER BY seq"))
                .extracting(row -> row.get("state")).containsOnly("rejected");
        // the revert writes nothing to the dead letters: it is no row to keep
        assertThat(db.query("SELECT count(*) AS n FROM " + SystemTables.DEAD_LETTER).get(0).get("n")).isEqualTo(0);
    }

    @Test
    void aRefusedInsertOfARowTheServerLacksIsRemoved() {
        db.exec("INSERT INTO todo (id, title) VALUES ('y', 'mine')");
        LocalChange insert = capture.pending(0, 10).get(0);

        capture.acknowledge(List.of(ChangeResult.rejected(insert.change().changeId(), ErrorCode.SCOPE_READ_ONLY, "read only")));

        assertThat(rows()).containsExactly(Map.of("id", "x", "title", "server"));
        assertThat(capture.pending(0, 10)).isEmpty();
    }

    @Test
    void aRefusedDeleteBringsTheRowBack() {
        db.exec("DELETE FROM todo WHERE id = 'x'");
        LocalChange delete = capture.pending(0, 10).get(0);
        Change winner = new Change("c1", "todo", "gx", Op.UPDATE, Map.of("id", "x", "title", "server"), List.of(),
                new Hlc(now - 100_000), "device-e");

        capture.acknowledge(List.of(new ChangeResult(delete.change().changeId(), ChangeStatus.REJECTED, 1, winner,
                ErrorCode.SCOPE_READ_ONLY, "read only")));

        assertThat(rows()).containsExactly(Map.of("id", "x", "title", "server"));
        assertThat(capture.pending(0, 10)).isEmpty();
    }
}
