package io.pocketsync.device.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.capture.LocalChange;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.protocol.ChangeResult;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checksum repair writes the server's state of a drifted row; a column an app upgrade added with a DEFAULT, which the
 * server's image of an old row does not name, takes its default rather than NULL.
 */
class ChecksumRepairTest {
    @TempDir
    Path dir;
    TestDb db;
    SqliteTriggerCapture capture;

    @BeforeEach
    void setUp() {
        db = new TestDb(dir, "device.db");
        db.exec("CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT)");
        capture = new SqliteTriggerCapture(db.dataSource, Clock.systemUTC(), CaptureOptions.DEFAULTS);
        capture.install(List.of("notes"));
    }

    @AfterEach
    void tearDown() {
        capture.close();
    }

    @Test
    void aColumnAddedWithADefaultKeepsItWhenTheServersImageOfAnOldRowLacksIt() {
        db.exec("INSERT INTO notes (id, body) VALUES ('n1', 'mine')");
        LocalChange mine = capture.pending(0, 10).get(0);
        capture.acknowledge(List.of(ChangeResult.applied(mine.change().changeId(), 1)));
        // Room-style migration: every old row gets the default, on every device; the server's image of n1 lacks it
        db.exec("ALTER TABLE notes ADD COLUMN pinned INTEGER NOT NULL DEFAULT 1");
        capture.refreshSchema();
        // the row drifted here without capture (the body), and the server says what it holds
        db.exec("INSERT INTO __pocketsync_applying (id) VALUES (1)");
        db.exec("UPDATE notes SET body = 'drifted' WHERE id = 'n1'");
        db.exec("DELETE FROM __pocketsync_applying");
        Change server = new Change("c1", "notes", mine.change().globalId(), Op.INSERT, Map.of("id", "n1", "body", "mine"),
                List.of(), mine.change().hlc(), "device-a");

        int repaired = capture.repair("notes", List.of(server), List.of(1L), List.of(), 1, true);

        assertThat(repaired).isEqualTo(1);
        assertThat(db.query("SELECT body, pinned FROM notes WHERE id = 'n1'"))
                .containsExactly(Map.of("body", "mine", "pinned", 1));
    }
}
