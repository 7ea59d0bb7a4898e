package io.pocketsync.device.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.capture.ApplyReport;
import io.pocketsync.api.capture.LocalChange;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.protocol.ChangesMode;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remote changes are applied in server-sequence order per row, whatever order ACKs and LIVE messages
 * arrive in (protocol.md 3.3): the races of a device's ACK against the broadcast of another device's change.
 */
class RowSequenceOrderTest {
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
        // row X exists on the server at sequence 1 and on this device
        ApplyReport created = capture.apply(List.of(remote("c1", Op.INSERT, "created", now - 100_000)), List.of(1L), 0, 1,
                ChangesMode.LIVE, true);
        assertThat(created.applied()).isEqualTo(1);
    }

    @AfterEach
    void tearDown() {
        capture.close();
    }

    private static Change remote(String id, Op op, String title, long hlc) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", "x");
        row.put("title", title);
        return new Change(id, "todo", "gx", op, row, List.of(), new Hlc(hlc), "device-e");
    }

    private String title() {
        return (String) db.query("SELECT title FROM todo WHERE id = 'x'").get(0).get("title");
    }

    private LocalChange localEdit(String title) {
        db.exec("UPDATE todo SET title = '" + title + "' WHERE id = 'x'");
        List<LocalChange> pending = capture.pending(0, 10);
        return pending.get(pending.size() - 1);
    }

    @Test
    void aPullWhileAChangeIsPendingAsksForEveryTombstoneAfterTheCursor() {
        // the PUSH of A may be stored already (in flight, or its ACK lost) at a sequence the device cannot know;
        // another device deletes the row after it, and the ACK of A (APPLIED, no winner) does not tell: the
        // catch-up must not skip that tombstone as "born and died after the cursor", so own = cursor + 1
        assertThat(capture.ownChangesFrom(1)).as("nothing pending or acked above the cursor").isZero();
        LocalChange a = localEdit("A");

        assertThat(capture.ownChangesFrom(1)).isEqualTo(2);

        capture.acknowledge(List.of(ChangeResult.applied(a.change().changeId(), 5)));
        assertThat(capture.ownChangesFrom(1)).as("once acked, its server sequence").isEqualTo(5);
    }

    @Test
    void anOlderChangeBroadcastAfterTheAckOfALaterOneIsNotApplied() {
        // last-write-wins: E's older B committed at 2, this device's A at 3 and kept; ACK(A) overtakes LIVE(B)
        LocalChange a = localEdit("A");
        capture.acknowledge(List.of(ChangeResult.applied(a.change().changeId(), 3)));
        ApplyReport live = capture.apply(List.of(remote("b", Op.UPDATE, "B", a.change().hlc().value() - 1_000)), List.of(2L), 1, 2,
                ChangesMode.LIVE, true);
        capture.apply(List.of(), List.of(), 2, 3, ChangesMode.LIVE, true); // A's own batch: empty for this device

        assertThat(live.skipped()).isEqualTo(1);
        assertThat(title()).isEqualTo("A");
        assertThat(capture.state().cursor()).isEqualTo(3);
    }

    @Test
    void aLaterChangeSkippedForAPendingEditIsAppliedOnceTheAckShowsTheServerOrderedItAfter() {
        // client-wins: A (later clock) committed at 2, E's B (earlier clock) at 3 overwrote it on the server;
        // LIVE(B) reaches this device before ACK(A), and "pending local wins" skips it
        LocalChange a = localEdit("A");
        capture.apply(List.of(), List.of(), 1, 2, ChangesMode.LIVE, true);
        ApplyReport live = capture.apply(List.of(remote("b", Op.UPDATE, "B", a.change().hlc().value() - 1_000)), List.of(3L), 2, 3,
                ChangesMode.LIVE, true);
        assertThat(live.skipped()).isEqualTo(1);
        assertThat(title()).isEqualTo("A");

        ApplyReport ack = capture.acknowledge(List.of(ChangeResult.applied(a.change().changeId(), 2)));

        assertThat(ack.applied()).isEqualTo(1);
        assertThat(ack.tables()).containsExactly("todo");
        assertThat(title()).isEqualTo("B");
        assertThat(db.count("SELECT count(*) FROM __pocketsync_deferred")).isZero();
        assertThat(capture.pendingCount()).isZero();
    }

    @Test
    void aChangeSkippedForAPendingEditIsDroppedWhenTheServerOrderedTheEditAfterIt() {
        LocalChange a = localEdit("A");
        capture.apply(List.of(remote("b", Op.UPDATE, "B", a.change().hlc().value() - 1_000)), List.of(2L), 1, 2,
                ChangesMode.LIVE, true);

        ApplyReport ack = capture.acknowledge(List.of(ChangeResult.applied(a.change().changeId(), 3)));

        assertThat(ack.applied()).isZero();
        assertThat(title()).isEqualTo("A");
        assertThat(db.count("SELECT count(*) FROM __pocketsync_deferred")).isZero();
    }

    @Test
    void aDeferredChangeWaitsWhileALaterLocalEditIsStillPending() {
        LocalChange a1 = localEdit("A1");
        capture.apply(List.of(remote("b", Op.UPDATE, "B", a1.change().hlc().value() - 1_000)), List.of(3L), 1, 3,
                ChangesMode.LIVE, true);
        LocalChange a2 = localEdit("A2");

        capture.acknowledge(List.of(ChangeResult.applied(a1.change().changeId(), 2)));
        assertThat(title()).isEqualTo("A2");
        capture.acknowledge(List.of(ChangeResult.applied(a2.change().changeId(), 4)));

        assertThat(title()).isEqualTo("A2"); // the server ordered A2 after B
        assertThat(db.count("SELECT count(*) FROM __pocketsync_deferred")).isZero();
    }

    @Test
    void aSupersedingWinnerOlderThanTheRowsStateIsNotApplied() {
        // A loses to E's C (sequence 5); E's D (sequence 6) reaches this device before the ACK of A
        LocalChange a = localEdit("A");
        long later = a.change().hlc().value() + 1_000;
        capture.apply(List.of(remote("c", Op.UPDATE, "C", later), remote("d", Op.UPDATE, "D", later + 1)), List.of(5L, 6L), 1, 6,
                ChangesMode.LIVE, true);
        assertThat(title()).isEqualTo("D");

        ApplyReport ack = capture.acknowledge(List.of(
                ChangeResult.superseded(a.change().changeId(), remote("c", Op.UPDATE, "C", later), 5)));

        assertThat(ack.skipped()).isEqualTo(1);
        assertThat(title()).isEqualTo("D");
    }

    @Test
    void aWinnerLaterThanTheRowsStateIsApplied() {
        LocalChange a = localEdit("A");
        Change winner = remote("c", Op.UPDATE, "C", a.change().hlc().value() + 1_000);

        ApplyReport ack = capture.acknowledge(List.of(ChangeResult.superseded(a.change().changeId(), winner, 5)));

        assertThat(ack.applied()).isEqualTo(1);
        assertThat(title()).isEqualTo("C");
        // the same state broadcast later is not applied again
        assertThat(capture.apply(List.of(winner), List.of(5L), 1, 5, ChangesMode.LIVE, true).skipped()).isEqualTo(1);
    }

    @Test
    void aDuplicateAckRecordsTheStoredSequence() {
        LocalChange a = localEdit("A");
        capture.acknowledge(List.of(new ChangeResult(a.change().changeId(), ChangeStatus.DUPLICATE, 4, null, null, null)));

        ApplyReport stale = capture.apply(List.of(remote("b", Op.UPDATE, "B", now)), List.of(3L), 1, 3, ChangesMode.CATCH_UP, true);

        assertThat(stale.skipped()).isEqualTo(1);
        assertThat(title()).isEqualTo("A");
    }

    @Test
    void aRedeliveredOrOlderDeleteDoesNotUndoALaterState() {
        capture.apply(List.of(remote("u", Op.UPDATE, "U", now - 50_000)), List.of(7L), 1, 7, ChangesMode.LIVE, true);
        ApplyReport old = capture.apply(List.of(remote("del", Op.DELETE, "", now - 60_000).withRow(Op.DELETE, Map.of())),
                List.of(4L), 7, 8, ChangesMode.CATCH_UP, true);

        assertThat(old.skipped()).isEqualTo(1);
        assertThat(title()).isEqualTo("U");
    }

    @Test
    void aSnapshotFromZeroForgetsTheSequencesOfTheOldHistory() {
        capture.apply(List.of(remote("u", Op.UPDATE, "U", now - 50_000)), List.of(70L), 1, 70, ChangesMode.LIVE, true);
        // the server lost its history: its sequences start again below the ones this device recorded
        ApplyReport snapshot = capture.apply(List.of(remote("s", Op.UPDATE, "S", now - 40_000)), List.of(2L), 0, 2,
                ChangesMode.SNAPSHOT, true);

        assertThat(snapshot.applied()).isEqualTo(1);
        assertThat(title()).isEqualTo("S");
    }

    @Test
    void changesWithoutTheirSequencesAreRefusedAndChangeNothing() {
        Change b = remote("b", Op.UPDATE, "B", now - 50_000);

        assertThatThrownBy(() -> capture.apply(List.of(b), List.of(), 1, 2, ChangesMode.LIVE, true))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_FIELD));

        assertThat(title()).isEqualTo("created");
        assertThat(capture.state().cursor()).isEqualTo(1);
    }
}
