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
    void aMarkAboveTheScopesHeadIsLoweredInsteadOfRepairedTowardsForEver() {
        LocalChange mine = write("a");
        capture.acknowledge(List.of(ChangeResult.applied(mine.change().changeId(), 436)));
        assertThat(ownMark()).isEqualTo(436);

        // the scope's head is 0: no change of it has sequence 436, so no repair could ever reach that mark
        assertThat(capture.repairIfBehind(0, 0)).isFalse();
        assertThat(ownMark()).isZero();
        assertThat(capture.repairing()).isFalse();

        // a mark at or below the head is left as it is, and a higher server mark still starts a repair
        capture.acknowledge(List.of(ChangeResult.applied(write("b").change().changeId(), 12)));
        assertThat(capture.repairIfBehind(12, 20)).isFalse();
        assertThat(ownMark()).isEqualTo(12);
        assertThat(capture.repairIfBehind(15, 20)).isTrue();
    }

    @Test
    void aSnapshotReadBeforeAnAcknowledgedOwnChangeIsFollowedByACatchUpOfOwnRows() {
        Change theirs = new Change("r1", "todo", "g-1", Op.INSERT, Map.of("id", "1", "title", "theirs"), List.of(),
                Hlc.of(System.currentTimeMillis() - 1000, 0), "device-b");
        capture.apply(List.of(theirs), List.of(3L), 0, 3, ChangesMode.CATCH_UP, true);
        db.exec("UPDATE todo SET title = 'mine' WHERE id = '1'");
        LocalChange mine = capture.pending(0, 10).get(0);
        // a full resync was asked for (a table tracked later, a resync); meanwhile the change is stored at 5 and acknowledged
        capture.acknowledge(List.of(ChangeResult.applied(mine.change().changeId(), 5)));
        assertThat(capture.repairing()).isFalse();

        // the snapshot was read at 4: its first page forgets the row sequences, so the older state is written over it
        capture.apply(List.of(theirs), List.of(3L), 0, 4, ChangesMode.SNAPSHOT, true);
        assertThat(db.query("SELECT title FROM todo")).containsExactly(Map.of("title", "theirs"));
        // the catch-up from 4 must not leave this device's own rows out, or the row keeps the older state for good
        assertThat(capture.repairing()).isTrue();
        Change back = new Change(mine.change().changeId(), "todo", "g-1", Op.UPDATE, Map.of("id", "1", "title", "mine"), List.of(),
                mine.change().hlc(), "self");
        capture.apply(List.of(back), List.of(5L), 4, 5, ChangesMode.CATCH_UP, true);
        assertThat(db.query("SELECT title FROM todo")).containsExactly(Map.of("title", "mine"));
        assertThat(capture.repairing()).isFalse();
        assertThat(ownMark()).isEqualTo(5);
    }

    @Test
    void aSnapshotThatReachesTheOwnMarkStartsNoRepair() {
        LocalChange mine = write("a");
        capture.acknowledge(List.of(ChangeResult.applied(mine.change().changeId(), 2)));
        capture.apply(List.of(new Change(mine.change().changeId(), "todo", mine.change().globalId(), Op.INSERT,
                Map.of("id", "a", "title", "mine"), List.of(), mine.change().hlc(), "self")), List.of(2L), 0, 4, ChangesMode.SNAPSHOT,
                true);
        assertThat(capture.repairing()).isFalse();
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
