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

/**
 * The winner an ACK result carries is not written while a later local change of the row is pending: that
 * change's result decides the row. It is kept aside like a deferred remote change (not recorded as the state
 * the row holds), so that whatever that result says, the row ends in the server's state: a later APPLIED keeps
 * the local edit, a SUPERSEDED writes its winner (older or newer than the skipped one: a DUPLICATE's winner is
 * the row as stored when the answer was built, a SUPERSEDED's the state the change was resolved against), and a
 * REJECTED (the server stored nothing of the edit) brings back the winner that was skipped.
 */
class SkippedWinnerTest {
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
        capture.apply(List.of(remote("c1", "created", now - 100_000)), List.of(1L), 0, 1, ChangesMode.LIVE, true);
    }

    @AfterEach
    void tearDown() {
        capture.close();
    }

    private static Change remote(String id, String title, long hlc) {
        return new Change(id, "todo", "gx", Op.UPDATE, Map.of("id", "x", "title", title), List.of(), new Hlc(hlc), "device-e");
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
    void aDuplicatesNewerWinnerSkippedForALaterEditIsNotTakenAsHeld() {
        // Convergence soak (WS_REDIS_TWO_NODES seed 57): A and B re-sent in one batch after a lost ACK. A is
        // DUPLICATE, answered with the row as stored after the batch and after another device's later write
        // (W2, sequence 117); B is SUPERSEDED by the state it was resolved against (W1, sequence 102). W2 was
        // skipped for B and its sequence recorded as held, so W1 was skipped as older, and W2 itself, sent
        // again by catch-up, was skipped as held: the device kept its losing edit B.
        LocalChange a = localEdit("A");
        LocalChange b = localEdit("B");
        Change w1 = remote("w1", "W1", b.change().hlc().value() + 1);
        Change w2 = remote("w2", "W2", b.change().hlc().value() + 2);

        capture.acknowledge(List.of(new ChangeResult(a.change().changeId(), ChangeStatus.DUPLICATE, 117, w2, null, null),
                ChangeResult.superseded(b.change().changeId(), w1, 102)));
        capture.apply(List.of(w2), List.of(117L), 1, 120, ChangesMode.CATCH_UP, true);

        assertThat(title()).isEqualTo("W2");
        assertThat(db.count("SELECT count(*) FROM __pocketsync_deferred")).isZero();
    }

    @Test
    void aDuplicatesWinnerNewerThanTheLaterEditsIsWrittenOnceTheyAreDecided() {
        // Convergence soak (WS_AND_MQTT_REDIS_TWO_NODES seed 88): A, B, C re-sent in one batch; A is DUPLICATE with
        // the row as stored after another device's write at 98, B and C are APPLIED at 91 and 97 before it
        LocalChange a = localEdit("A");
        LocalChange b = localEdit("B");
        LocalChange c = localEdit("C");
        Change w = remote("w", "W", c.change().hlc().value() + 1);

        capture.acknowledge(List.of(new ChangeResult(a.change().changeId(), ChangeStatus.DUPLICATE, 98, w, null, null),
                ChangeResult.applied(b.change().changeId(), 91), ChangeResult.applied(c.change().changeId(), 97)));

        assertThat(title()).isEqualTo("W");
        assertThat(capture.apply(List.of(w), List.of(98L), 1, 98, ChangesMode.CATCH_UP, true).skipped()).isEqualTo(1);
        assertThat(title()).isEqualTo("W");
    }

    @Test
    void aRejectedLaterEditBringsBackTheWinnerSkippedForIt() {
        LocalChange a = localEdit("A");
        LocalChange b = localEdit("B");
        Change winner = remote("w", "W", a.change().hlc().value() + 1);

        capture.acknowledge(List.of(ChangeResult.superseded(a.change().changeId(), winner, 5),
                ChangeResult.rejected(b.change().changeId(), ErrorCode.ROW_TOO_LARGE, "too large")));

        assertThat(title()).as("the server holds W and nothing of B").isEqualTo("W");
        assertThat(db.count("SELECT count(*) FROM __pocketsync_deferred")).isZero();
    }

    @Test
    void aRejectedLaterEditInTheNextAckBringsBackTheWinner() {
        LocalChange a = localEdit("A");
        capture.pending(0, 10); // A alone is in flight
        Change winner = remote("w", "W", a.change().hlc().value() + 1);
        LocalChange b = localEdit("B");

        capture.acknowledge(List.of(ChangeResult.superseded(a.change().changeId(), winner, 5)));
        assertThat(title()).as("B is pending: its ACK decides").isEqualTo("B");
        capture.acknowledge(List.of(ChangeResult.rejected(b.change().changeId(), ErrorCode.ROW_TOO_LARGE, "too large")));

        assertThat(title()).isEqualTo("W");
    }

    @Test
    void anAppliedLaterEditKeepsTheRow() {
        LocalChange a = localEdit("A");
        LocalChange b = localEdit("B");
        Change winner = remote("w", "W", a.change().hlc().value() + 1);

        capture.acknowledge(List.of(ChangeResult.superseded(a.change().changeId(), winner, 5),
                ChangeResult.applied(b.change().changeId(), 6)));

        assertThat(title()).isEqualTo("B");
        assertThat(db.count("SELECT count(*) FROM __pocketsync_deferred")).isZero();
        // W broadcast afterwards is older than the row's state
        assertThat(capture.apply(List.of(winner), List.of(5L), 1, 5, ChangesMode.LIVE, true).skipped()).isEqualTo(1);
        assertThat(title()).isEqualTo("B");
    }

    @Test
    void aSupersededLaterEditWritesItsWinner() {
        LocalChange a = localEdit("A");
        LocalChange b = localEdit("B");
        Change winner = remote("w", "W", b.change().hlc().value() + 1);

        capture.acknowledge(List.of(ChangeResult.superseded(a.change().changeId(), winner, 5),
                ChangeResult.superseded(b.change().changeId(), winner, 5)));

        assertThat(title()).isEqualTo("W");
        assertThat(db.count("SELECT count(*) FROM __pocketsync_deferred")).isZero();
    }

    @Test
    void aRowRefusedAsTooLargeIsLeftOutOfChecksumComparisonsUntilALaterChangeOfIt() {
        // the row stays in the file as written (protocol.md 3.2): a checksum repair must not overwrite or delete it
        LocalChange big = localEdit("too big to send");
        capture.acknowledge(List.of(ChangeResult.rejected(big.change().changeId(), ErrorCode.ROW_TOO_LARGE, "too large")));
        assertThat(title()).isEqualTo("too big to send");
        assertThat(capture.unsettledRows("todo")).containsExactly("gx");

        LocalChange smaller = localEdit("small");
        capture.acknowledge(List.of(ChangeResult.applied(smaller.change().changeId(), 7)));
        assertThat(capture.unsettledRows("todo")).as("a later change decides the row again").isEmpty();
    }
}
