package io.pocketsync.device.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.capture.LocalChange;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangesMode;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device side of getting its own rows back: the own mark follows the ACKs, a server mark above it starts a repair
 * that the end of a catch-up finishes, and an explicit resync starts over from cursor 0.
 */
class OwnRowsRepairTest {
    @TempDir
    Path dir;
    TestDb db;
    SqliteTriggerCapture capture;

    @BeforeEach
    void setUp() {
        db = new TestDb(dir, "device.db");
        db.exec("CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT)");
        capture = new SqliteTriggerCapture(db.dataSource, Clock.systemUTC(), CaptureOptions.DEFAULTS);
        capture.install(List.of("todo"));
    }

    @AfterEach
    void tearDown() {
        capture.close();
    }

    private long ownMark() {
        return ((Number) db.query("SELECT own_mark FROM __pocketsync_device_state").get(0).get("own_mark")).longValue();
    }

    private LocalChange write(String id) {
        db.exec("INSERT INTO todo (id, title) VALUES ('" + id + "', 'mine')");
        List<LocalChange> pending = capture.pending(0, 10);
        return pending.get(pending.size() - 1);
    }

    @Test
    void acksRaiseTheOwnMarkAndAHigherServerMarkStartsARepairUntilACatchUpEnds() {
        LocalChange first = write("a");
        capture.acknowledge(List.of(ChangeResult.applied(first.change().changeId(), 4)));
        LocalChange second = write("b");
        capture.acknowledge(List.of(new ChangeResult(second.change().changeId(), io.pocketsync.api.protocol.ChangeStatus.DUPLICATE, 6, null, null, null)));
        assertThat(ownMark()).isEqualTo(6);

        assertThat(capture.repairIfBehind(6)).isFalse();
        assertThat(capture.repairIfBehind(0)).isFalse();
        assertThat(capture.repairing()).isFalse();

        assertThat(capture.repairIfBehind(9)).isTrue();
        assertThat(capture.repairing()).isTrue();
        // a page that does not end the catch-up leaves the repair on; the last one ends it, and the mark is known
        Change theirs = new Change("r1", "todo", "g-r1", Op.INSERT, Map.of("id", "r", "title", "t"), List.of(),
                Hlc.of(System.currentTimeMillis() - 1000, 0), "device-b");
        capture.apply(List.of(theirs), List.of(7L), 0, 7, ChangesMode.CATCH_UP, false);
        assertThat(capture.repairing()).isTrue();
        capture.apply(List.of(), List.of(), 7, 9, ChangesMode.CATCH_UP, true);
        assertThat(capture.repairing()).isFalse();
        assertThat(ownMark()).isEqualTo(9);
        assertThat(capture.repairIfBehind(9)).isFalse();
    }

    @Test
    void aRepairSurvivesARestartAndLiveMessagesDoNotEndIt() {
        capture.repairIfBehind(3);
        capture.apply(List.of(), List.of(), 0, 2, ChangesMode.LIVE, true);
        capture.close();
        capture = new SqliteTriggerCapture(db.dataSource, Clock.systemUTC(), CaptureOptions.DEFAULTS);
        capture.install(List.of("todo"));
        assertThat(capture.repairing()).isTrue();
    }

    @Test
    void resyncGoesBackToCursorZeroAndKeepsPendingChanges() {
        capture.apply(List.of(), List.of(), 0, 5, ChangesMode.CATCH_UP, true);
        write("pending");

        capture.resync();

        assertThat(capture.state().cursor()).isZero();
        assertThat(capture.state().resyncing()).isTrue();
        assertThat(capture.repairing()).isTrue();
        assertThat(capture.pendingCount()).isEqualTo(1);
    }
}
