package io.pocketsync.device.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.capture.ApplyReport;
import io.pocketsync.api.capture.ChangeCapture;
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
 * An ACK's {@code prev} (docs/protocol.md 3.2, 3.3): the device records the sequence of its acknowledged change's row only
 * when a state of the row older than it could still be applied, and never lets such a stale state through: a LIVE or
 * page carrying it after the ACK is refused by the cursor ({@code prev <= cursor}) or skipped by the record
 * ({@code prev > cursor}, and each exception of {@link NeedlessRecords}).
 */
class NeedlessRecordsTest {
    @TempDir
    Path dir;
    TestDb db;
    SqliteTriggerCapture capture;
    final long now = Hlc.of(System.currentTimeMillis(), 0).value();

    @BeforeEach
    void setUp() {
        db = new TestDb(dir, "device.db");
        db.exec("CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT)", "CREATE TABLE note (id TEXT PRIMARY KEY, body TEXT)");
        capture = open(List.of("todo"));
        capture.subscribe();
        // row x exists on the server at sequence 1 and on this device, whose cursor is 1
        assertThat(capture.apply(List.of(todo("c1", "gx", "x", Op.INSERT, "created", now - 100_000)), List.of(1L), 0, 1,
                ChangesMode.LIVE, true).applied()).isEqualTo(1);
    }

    @AfterEach
    void tearDown() {
        capture.close();
    }

    private SqliteTriggerCapture open(List<String> tables) {
        SqliteTriggerCapture opened = new SqliteTriggerCapture(db.dataSource, Clock.systemUTC(), CaptureOptions.DEFAULTS);
        opened.install(tables);
        return opened;
    }

    private static Change todo(String id, String gid, String key, Op op, String title, long hlc) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", key);
        row.put("title", title);
        return new Change(id, "todo", gid, op, row, List.of(), new Hlc(hlc), "device-e");
    }

    private static Change note(String id, Op op, String body, long hlc) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", "n1");
        row.put("body", body);
        return new Change(id, "note", "gn1", op, row, List.of(), new Hlc(hlc), "device-e");
    }

    /** An older state of row x (before this device's edit), as another device wrote it. */
    private Change olderOfX(String title, LocalChange edit) {
        return todo("older-" + title, "gx", "x", Op.UPDATE, title, edit.change().hlc().value() - 1_000);
    }

    private String title() {
        return (String) db.query("SELECT title FROM todo WHERE id = 'x'").get(0).get("title");
    }

    private String body() {
        return (String) db.query("SELECT body FROM note WHERE id = 'n1'").get(0).get("body");
    }

    private LocalChange localEdit(ChangeCapture in, String sql) {
        db.exec(sql);
        List<LocalChange> pending = in.pending(0, 10);
        return pending.get(pending.size() - 1);
    }

    private LocalChange editX(String title) {
        return localEdit(capture, "UPDATE todo SET title = '" + title + "' WHERE id = 'x'");
    }

    private long recorded(String gid) {
        return db.count("SELECT coalesce(max(seq), 0) FROM __pocketsync_row_seq WHERE gid = ?", gid);
    }

    private static ChangeResult applied(LocalChange change, long sequence, long previous) {
        return ChangeResult.applied(change.change().changeId(), sequence).withPrevious(previous);
    }

    @Test
    void aRowNewOnTheServerIsNotRecordedAndItsLaterStatesStillApply() {
        LocalChange insert = localEdit(capture, "INSERT INTO todo (id, title) VALUES ('y', 'mine')");
        String gid = insert.change().globalId();

        capture.acknowledge(List.of(applied(insert, 2, 0)));
        capture.apply(List.of(), List.of(), 1, 2, ChangesMode.LIVE, true); // its own batch: empty for this device

        assertThat(recorded(gid)).isZero();
        assertThat(db.count("SELECT own_mark FROM __pocketsync_device_state WHERE id = 1")).as("the own mark still moves")
                .isEqualTo(2);
        ApplyReport later = capture.apply(List.of(todo("b", gid, "y", Op.UPDATE, "theirs", insert.change().hlc().value() + 1)),
                List.of(3L), 2, 3, ChangesMode.LIVE, true);
        assertThat(later.applied()).isEqualTo(1);
        assertThat(db.query("SELECT title FROM todo WHERE id = 'y'").get(0).get("title")).isEqualTo("theirs");
    }

    @Test
    void aPrevAtTheCursorIsNotRecordedAndNoStaleMessageCanBeAppliedAfterIt() {
        LocalChange a = editX("A");

        capture.acknowledge(List.of(applied(a, 3, 1)));

        assertThat(recorded("gx")).as("the record of sequence 1 (the LIVE) stays as it was").isEqualTo(1);
        // the older states of x are at or below 1: every message that could carry one starts below the cursor
        assertThat(capture.apply(List.of(olderOfX("created", a)), List.of(1L), 0, 1, ChangesMode.LIVE, true).accepted()).isFalse();
        assertThat(capture.apply(List.of(olderOfX("created", a)), List.of(1L), 0, 1, ChangesMode.CATCH_UP, true).accepted())
                .isFalse();
        capture.apply(List.of(todo("z", "gz", "z", Op.INSERT, "other row", now)), List.of(2L), 1, 2, ChangesMode.LIVE, true);
        capture.apply(List.of(), List.of(), 2, 3, ChangesMode.LIVE, true);
        assertThat(title()).isEqualTo("A");
        assertThat(capture.state().cursor()).isEqualTo(3);
    }

    @Test
    void aPrevAboveTheCursorIsRecordedAndTheStaleLiveIsSkipped() {
        // another device's B was stored at 2, this device's A over it at 3; the ACK of A overtakes the LIVE of B
        LocalChange a = editX("A");

        capture.acknowledge(List.of(applied(a, 3, 2)));
        assertThat(recorded("gx")).isEqualTo(3);

        ApplyReport live = capture.apply(List.of(olderOfX("B", a)), List.of(2L), 1, 2, ChangesMode.LIVE, true);
        assertThat(live.skipped()).isEqualTo(1);
        assertThat(title()).isEqualTo("A");
    }

    @Test
    void aPrevAboveTheCursorIsRecordedAndTheStaleCatchUpPageIsSkipped() {
        LocalChange a = editX("A");

        capture.acknowledge(List.of(applied(a, 3, 2)));

        // a PULL from 1 answered before A was stored: x's latest state then was B at 2
        ApplyReport page = capture.apply(List.of(olderOfX("B", a)), List.of(2L), 1, 2, ChangesMode.CATCH_UP, true);
        assertThat(page.skipped()).isEqualTo(1);
        assertThat(title()).isEqualTo("A");
    }

    @Test
    void whileResyncingACatchUpFromZeroCanFollowSoTheRowIsRecorded() {
        capture.apply(List.of(todo("s1", "gx", "x", Op.INSERT, "created", now - 100_000)), List.of(1L), 0, 1,
                ChangesMode.SNAPSHOT, false);
        assertThat(capture.state().resyncing()).isTrue();
        LocalChange a = editX("A");

        capture.acknowledge(List.of(applied(a, 3, 1)));
        assertThat(recorded("gx")).isEqualTo(3);

        // the server pruned nothing: a catch-up from 0 replaces the resync, read before A was stored
        ApplyReport page = capture.apply(List.of(olderOfX("created", a)), List.of(1L), 0, 2, ChangesMode.CATCH_UP, true);
        assertThat(page.accepted()).isTrue();
        assertThat(page.skipped()).isEqualTo(1);
        assertThat(title()).isEqualTo("A");
    }

    @Test
    void aRowOfATableCatchUpIsRecordedAgainstItsPagesNotTheMainCursor() {
        capture.apply(List.of(), List.of(), 1, 40, ChangesMode.LIVE, true);
        capture.close();
        capture = open(List.of("todo", "note"));
        capture.subscribe(); // note joins: its own pages from 0, the main cursor at 40
        capture.applyTables(List.of("note"), List.of(note("n-one", Op.INSERT, "one", now - 90_000)), List.of(3L), 0, 20, false);
        LocalChange a = localEdit(capture, "UPDATE note SET body = 'A' WHERE id = 'n1'");

        // another device wrote n1 at 30 (below the main cursor), this device's A over it at 45
        capture.acknowledge(List.of(applied(a, 45, 30)));
        assertThat(recorded("gn1")).isEqualTo(45);

        ApplyReport page = capture.applyTables(List.of("note"), List.of(note("n-two", Op.UPDATE, "two", a.change().hlc().value() - 1_000)),
                List.of(30L), 20, 40, true);
        assertThat(page.skipped()).isEqualTo(1);
        assertThat(body()).isEqualTo("A");
    }

    @Test
    void aRowWithADeferredRemoteChangeIsRecordedSoSettlingItDropsTheOlderState() {
        // A1 at 2, another device's B (older clock) at 3, A2 at 4: B reaches this device first and is kept aside for A1
        LocalChange a1 = editX("A1");
        capture.apply(List.of(olderOfX("B", a1)), List.of(3L), 1, 3, ChangesMode.LIVE, true);
        LocalChange a2 = editX("A2");

        capture.acknowledge(List.of(applied(a1, 2, 1)));
        assertThat(title()).isEqualTo("A2");
        capture.acknowledge(List.of(applied(a2, 4, 3)));

        assertThat(title()).as("the server ordered A2 after B: B is dropped, not written").isEqualTo("A2");
        assertThat(recorded("gx")).isEqualTo(4);
        assertThat(db.count("SELECT count(*) FROM __pocketsync_deferred")).isZero();
    }

    @Test
    void anAckWhileARowIsMarkedOverwrittenRecordsAsBefore() {
        // a later remote state B (sequence 2) was written over the pending A; the server stored A over it after all
        LocalChange a = editX("A");
        capture.apply(List.of(todo("b", "gx", "x", Op.UPDATE, "B", a.change().hlc().value() + 1_000)), List.of(2L), 1, 2,
                ChangesMode.LIVE, true);
        assertThat(title()).isEqualTo("B");

        capture.acknowledge(List.of(applied(a, 3, 2)));

        assertThat(title()).as("written back").isEqualTo("A");
        assertThat(recorded("gx")).isEqualTo(3);
    }

    @Test
    void winnersDuplicatesAndResultsWithoutPrevAreRecorded() {
        LocalChange merged = editX("A");
        Change stored = todo("m", "gx", "x", Op.UPDATE, "A merged", merged.change().hlc().value());
        capture.acknowledge(List.of(ChangeResult.applied(merged.change().changeId(), 3, stored).withPrevious(1)));
        assertThat(recorded("gx")).as("APPLIED with a winner").isEqualTo(3);

        LocalChange duplicate = editX("D");
        capture.acknowledge(List.of(new ChangeResult(duplicate.change().changeId(), ChangeStatus.DUPLICATE, 4, null, null, null)));
        assertThat(recorded("gx")).as("DUPLICATE").isEqualTo(4);

        LocalChange fromOlderServer = editX("O");
        capture.acknowledge(List.of(ChangeResult.applied(fromOlderServer.change().changeId(), 5)));
        assertThat(recorded("gx")).as("no prev: an older server").isEqualTo(5);
    }

    @Test
    void eachScopeComparesWithItsOwnCursor() {
        capture.close();
        db = new TestDb(dir, "scoped.db");
        db.exec("CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT)", "CREATE TABLE note (id TEXT PRIMARY KEY, body TEXT)");
        capture = open(List.of("todo", "note"));
        ChangeCapture alice = capture.scope("alice", List.of("todo"));
        ChangeCapture team = capture.scope("team", List.of("note"));
        alice.subscribe();
        team.subscribe();
        alice.apply(List.of(todo("t1", "gt1", "t1", Op.INSERT, "t", now - 100_000)), List.of(40L), 0, 40, ChangesMode.CATCH_UP,
                true);
        team.apply(List.of(note("n-one", Op.INSERT, "one", now - 100_000)),
                List.of(1L), 0, 1, ChangesMode.CATCH_UP, true);
        LocalChange a = localEdit(team, "UPDATE note SET body = 'A' WHERE id = 'n1'");

        // team's cursor is 1, below prev 3 (alice's 40 is not team's)
        team.acknowledge(List.of(applied(a, 5, 3)));
        assertThat(recorded("gn1")).isEqualTo(5);

        ApplyReport live = team.apply(List.of(note("n-three", Op.UPDATE, "three", a.change().hlc().value() - 1_000)), List.of(3L), 1, 3,
                ChangesMode.LIVE, true);
        assertThat(live.skipped()).isEqualTo(1);
        assertThat(body()).isEqualTo("A");
    }
}
