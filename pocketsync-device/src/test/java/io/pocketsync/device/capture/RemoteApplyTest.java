package io.pocketsync.device.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.capture.ApplyReport;
import io.pocketsync.api.capture.LocalChange;
import io.pocketsync.api.capture.ParkedChange;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangesMode;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RemoteApplyTest {
    @TempDir
    Path dir;
    TestDb db;
    SqliteTriggerCapture capture;
    long hlcBase = Hlc.of(System.currentTimeMillis() - 60_000, 0).value();
    int ids;

    @BeforeEach
    void setUp() {
        db = new TestDb(dir, "device.db");
        db.exec("CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT, data BLOB)",
                "CREATE TABLE parent (id TEXT PRIMARY KEY, name TEXT)",
                "CREATE TABLE child (id TEXT PRIMARY KEY, parent_id TEXT REFERENCES parent(id), name TEXT)");
        capture = open(db.dataSource);
    }

    @AfterEach
    void tearDown() {
        capture.close();
    }

    private SqliteTriggerCapture open(DataSource source) {
        SqliteTriggerCapture c = new SqliteTriggerCapture(source, Clock.systemUTC(), CaptureOptions.DEFAULTS);
        c.install(List.of("todo", "parent", "child"));
        return c;
    }

    private Change change(String table, String gid, Op op, Map<String, Object> row, long hlcOffset) {
        return new Change("remote-" + (++ids), table, gid, op, row, List.of(), new Hlc(hlcBase + hlcOffset), "other-device");
    }

    private static Map<String, Object> row(Object... kv) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            row.put((String) kv[i], kv[i + 1]);
        }
        return row;
    }

    @Test
    void appliesWithoutEchoAndMovesTheCursor() {
        byte[] blob = {1, 2, 3};
        ApplyReport report = capture.apply(List.of(
                change("todo", "g1", Op.INSERT, row("id", "1", "title", "remote", "data", blob), 1),
                change("todo", "g2", Op.INSERT, row("id", "2", "title", "two"), 2),
                change("todo", "g2", Op.UPDATE, row("id", "2", "title", "two!"), 3),
                change("todo", "g1", Op.DELETE, Map.of(), 4)), List.of(1L, 2L, 3L, 4L), 0, 4, ChangesMode.LIVE, true);
        assertThat(report.accepted()).isTrue();
        assertThat(report.applied()).isEqualTo(4);
        assertThat(report.tables()).containsExactly("todo");
        assertThat(db.query("SELECT id, title, ps_global_id FROM todo")).containsExactly(row("id", "2", "title", "two!", "ps_global_id", "g2"));
        assertThat(capture.pendingCount()).isZero();
        assertThat(capture.state().cursor()).isEqualTo(4);
        assertThat(capture.tableVersions()).containsEntry("todo", 0L);
        assertThat(capture.apply(List.of(change("todo", "g9", Op.INSERT, row("id", "9"), 5)), List.of(5L), 2, 5, ChangesMode.LIVE,
                true))
                .isEqualTo(ApplyReport.NOT_ACCEPTED);
        db.exec("UPDATE todo SET title = 'local' WHERE id = '2'");
        assertThat(capture.pendingCount()).isEqualTo(1);
    }

    @Test
    void redeliveredChangesAreSkippedAndBlobsWritten() {
        Change insert = change("todo", "g1", Op.INSERT, row("id", "1", "data", new byte[] {9, 8}), 1);
        capture.apply(List.of(insert), List.of(1L), 0, 1, ChangesMode.LIVE, true);
        db.exec("UPDATE todo SET title = 'x'"); // a local change, pending
        ApplyReport again = capture.apply(List.of(insert), List.of(1L), 1, 2, ChangesMode.CATCH_UP, true);
        assertThat(again.skipped()).isEqualTo(1);
        assertThat(db.query("SELECT title, data FROM todo").get(0)).containsEntry("title", "x");
        assertThat((byte[]) db.query("SELECT data FROM todo").get(0).get("data")).containsExactly(9, 8);
    }

    @Test
    void pendingLocalChangeWithLaterClockWins() {
        capture.apply(List.of(change("todo", "g1", Op.INSERT, row("id", "1", "title", "v1"), 1)), List.of(1L), 0, 1, ChangesMode.LIVE,
                true);
        db.exec("UPDATE todo SET title = 'local-later' WHERE id = '1'");
        ApplyReport report = capture.apply(List.of(change("todo", "g1", Op.UPDATE, row("id", "1", "title", "remote-older"), 2)),
                List.of(2L), 1, 2, ChangesMode.LIVE, true);
        assertThat(report.skipped()).isEqualTo(1);
        assertThat(db.query("SELECT title FROM todo")).containsExactly(row("title", "local-later"));
        Change newer = new Change("remote-newer", "todo", "g1", Op.UPDATE, row("id", "1", "title", "remote-newer"), List.of(),
                Hlc.of(System.currentTimeMillis() + 60_000, 0), "other-device");
        capture.apply(List.of(newer), List.of(3L), 2, 3, ChangesMode.LIVE, true);
        assertThat(db.query("SELECT title FROM todo")).containsExactly(row("title", "remote-newer"));
    }

    @Test
    void keyCollisionIsParkedAndTheRestOfTheBatchApplied() {
        db.exec("INSERT INTO todo (id, title) VALUES ('same-key', 'mine')");
        ApplyReport report = capture.apply(List.of(
                change("todo", "theirs", Op.INSERT, row("id", "same-key", "title", "theirs"), 1),
                change("nope", "g", Op.INSERT, row("id", "x"), 2),
                change("todo", "g3", Op.INSERT, row("id", "3", "no_such_column", 1L), 3),
                change("todo", "g4", Op.INSERT, row("id", "4", "title", "fine"), 4)), List.of(1L, 2L, 3L, 4L), 0, 4, ChangesMode.LIVE, true);
        // a column this device lacks is not a reason to park: see columnsThisDeviceLacksAreKeptUntilAnUpgradeAddsThem
        assertThat(report.parked()).extracting(ParkedChange::code).containsExactly(ErrorCode.KEY_COLLISION, ErrorCode.UNKNOWN_TABLE);
        assertThat(report.applied()).isEqualTo(2);
        assertThat(db.query("SELECT id, title FROM todo ORDER BY id")).containsExactly(row("id", "3", "title", null),
                row("id", "4", "title", "fine"), row("id", "same-key", "title", "mine"));
        assertThat(db.count("SELECT count(*) FROM __pocketsync_dead_letter")).isEqualTo(2);
        assertThat(capture.state().cursor()).isEqualTo(4);
    }

    @Test
    void aLocalWriteAfterAppliedChangesOrdersAfterThemWhateverTheWallClock() {
        // a device whose clock runs two minutes ahead wrote this; ours is honest (or slow)
        Hlc ahead = Hlc.of(System.currentTimeMillis() + 120_000, 3);
        capture.apply(List.of(new Change("remote-ahead", "todo", "g1", Op.INSERT, row("id", "1", "title", "theirs"), List.of(),
                ahead, "fast-device")), List.of(1L), 0, 1, ChangesMode.LIVE, true);
        db.exec("UPDATE todo SET title = 'mine, after theirs' WHERE id = '1'");
        List<LocalChange> pending = capture.pending(0, 10);
        assertThat(pending).hasSize(1);
        assertThat(pending.get(0).change().hlc()).isGreaterThan(ahead);
    }

    @Test
    void columnsThisDeviceLacksAreKeptUntilAnUpgradeAddsThem() {
        // another device runs a newer app version with a column 'priority' this device does not have yet
        capture.apply(List.of(change("todo", "g1", Op.INSERT, row("id", "1", "title", "t", "priority", 5L), 1),
                change("todo", "g1", Op.UPDATE, row("id", "1", "title", "t2", "priority", 7L), 2),
                change("todo", "g2", Op.INSERT, row("id", "2", "title", "u", "priority", null), 3)), List.of(1L, 2L, 3L), 0, 3,
                ChangesMode.LIVE, true);
        assertThat(db.query("SELECT id, title FROM todo ORDER BY id")).containsExactly(row("id", "1", "title", "t2"),
                row("id", "2", "title", "u"));
        assertThat(db.count("SELECT count(*) FROM __pocketsync_dead_letter")).isZero();

        db.exec("ALTER TABLE todo ADD COLUMN priority INTEGER DEFAULT 1");
        capture.refreshSchema();
        assertThat(db.query("SELECT id, priority FROM todo ORDER BY id")).containsExactly(row("id", "1", "priority", 7),
                row("id", "2", "priority", null));
        assertThat(db.count("SELECT count(*) FROM __pocketsync_missing_columns")).isZero();
        // what came from other devices is not captured again
        assertThat(db.count("SELECT count(*) FROM __pocketsync_changes WHERE state = 'pending'")).isZero();
    }

    @Test
    void aPendingEditOfAnOldAppVersionCarriesTheKeptValueTheUpgradeWritesIntoTheRow() {
        // a newer app version elsewhere wrote 'note'; this device, on the old version, keeps the value and edits the row
        capture.apply(List.of(change("todo", "g1", Op.INSERT, row("id", "1", "title", "theirs", "note", "n11"), 1)), List.of(1L), 0, 1,
                ChangesMode.LIVE, true);
        db.exec("UPDATE todo SET title = 'mine' WHERE id = '1'");
        assertThat(capture.pending(0, 10).get(0).change().row()).as("sealed with the kept value").containsEntry("note", "n11");

        // the app upgrades before the edit is pushed: the row gains the kept value, and the pending image must keep it,
        // or the server keeps its own note (a column missing from an image is unchanged) while this row holds n11
        db.exec("ALTER TABLE todo ADD COLUMN note TEXT");
        capture.refreshSchema();
        assertThat(db.query("SELECT title, note FROM todo")).containsExactly(row("title", "mine", "note", "n11"));
        List<LocalChange> pending = capture.pending(0, 10);
        assertThat(pending).hasSize(1);
        assertThat(pending.get(0).change().row()).containsEntry("title", "mine").containsEntry("note", "n11");
    }

    @Test
    void aPendingChangeARemoteStateOverwroteIsWrittenBackWhenTheServerStoresItAfterARestamp() {
        capture.apply(List.of(change("todo", "g1", Op.INSERT, row("id", "1", "title", "theirs"), 1),
                change("todo", "g2", Op.INSERT, row("id", "2", "title", "theirs too"), 2)), List.of(1L, 2L), 0, 2, ChangesMode.LIVE,
                true);
        db.exec("DELETE FROM todo WHERE id = '1'", "UPDATE todo SET title = 'mine' WHERE id = '2'");
        List<LocalChange> mine = capture.pending(0, 10);
        assertThat(mine).hasSize(2);
        // another device's later edits win here by their clock: the rows hold them, the local changes wait to be superseded
        long later = System.currentTimeMillis() + 60_000;
        Change edit1 = new Change("remote-later-1", "todo", "g1", Op.UPDATE, row("id", "1", "title", "theirs, later"), List.of(),
                Hlc.of(later, 0), "other-device");
        Change edit2 = new Change("remote-later-2", "todo", "g2", Op.UPDATE, row("id", "2", "title", "theirs too, later"),
                List.of(), Hlc.of(later, 1), "other-device");
        capture.apply(List.of(edit1, edit2), List.of(3L, 4L), 2, 4, ChangesMode.LIVE, true);
        assertThat(db.query("SELECT id, title FROM todo ORDER BY id")).containsExactly(row("id", "1", "title", "theirs, later"),
                row("id", "2", "title", "theirs too, later"));

        // the next WELCOME finds this device's clock two minutes behind the server's: its pending changes are restamped
        // after those edits, and the server stores them over them, with no winner to report
        capture.clockOffset(-120_000);
        assertThat(capture.pending(0, 10)).allSatisfy(change -> assertThat(change.change().hlc()).isGreaterThan(edit2.hlc()));
        capture.acknowledge(List.of(ChangeResult.applied(mine.get(0).change().changeId(), 5),
                ChangeResult.applied(mine.get(1).change().changeId(), 6)));

        assertThat(db.query("SELECT id, title FROM todo ORDER BY id")).as("the server's state of both rows")
                .containsExactly(row("id", "2", "title", "mine"));
        assertThat(capture.pendingCount()).isZero();
        assertThat(db.count("SELECT count(*) FROM __pocketsync_overwritten")).isZero();
    }

    @Test
    void aPendingChangeARemoteStateOverwroteAndTheServerSupersededKeepsTheRemoteState() {
        capture.apply(List.of(change("todo", "g1", Op.INSERT, row("id", "1", "title", "theirs"), 1)), List.of(1L), 0, 1,
                ChangesMode.LIVE, true);
        db.exec("UPDATE todo SET title = 'mine' WHERE id = '1'");
        String mine = capture.pending(0, 10).get(0).change().changeId();
        Change later = new Change("remote-later", "todo", "g1", Op.UPDATE, row("id", "1", "title", "theirs, later"), List.of(),
                Hlc.of(System.currentTimeMillis() + 60_000, 0), "other-device");
        capture.apply(List.of(later), List.of(2L), 1, 2, ChangesMode.LIVE, true);
        capture.acknowledge(List.of(ChangeResult.superseded(mine, later)));
        assertThat(db.query("SELECT title FROM todo")).containsExactly(row("title", "theirs, later"));
        assertThat(db.count("SELECT count(*) FROM __pocketsync_overwritten")).isZero();
    }

    @Test
    void aCollisionInsideALargePageParksOnlyThatRowAndKeepsTheOrderOfWrites() {
        db.exec("INSERT INTO todo (id, title) VALUES ('k70', 'mine')");
        List<Change> page = new ArrayList<>();
        List<Long> sequences = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            page.add(change("todo", "g" + i, Op.INSERT, row("id", "k" + i, "title", "t" + i), i + 1));
            sequences.add((long) i + 1);
        }
        // then a delete and a re-insert of one of them: runs of different statements keep their order
        page.add(change("todo", "g5", Op.DELETE, row(), 151));
        sequences.add(151L);
        page.add(change("todo", "g5", Op.INSERT, row("id", "k5", "title", "again"), 152));
        sequences.add(152L);
        ApplyReport report = capture.apply(page, sequences, 0, 152, ChangesMode.CATCH_UP, true);

        assertThat(report.parked()).extracting(ParkedChange::code).containsExactly(ErrorCode.KEY_COLLISION);
        assertThat(report.applied()).isEqualTo(151);
        assertThat(db.count("SELECT count(*) FROM todo")).isEqualTo(150);
        assertThat(db.query("SELECT title FROM todo WHERE id = 'k70'")).containsExactly(row("title", "mine"));
        assertThat(db.query("SELECT title FROM todo WHERE id = 'k5'")).containsExactly(row("title", "again"));
        assertThat(db.count("SELECT count(*) FROM __pocketsync_row_seq")).isEqualTo(149);
        assertThat(db.count("SELECT count(*) FROM __pocketsync_row_seq WHERE gid = 'g70'")).isZero();
        assertThat(db.count("SELECT seq FROM __pocketsync_row_seq WHERE gid = 'g5'")).isEqualTo(152);
        // no echo: the only change queued is the app's own row
        assertThat(db.query("SELECT json_extract(row_json, '$.id') AS id FROM __pocketsync_changes")).containsExactly(row("id", "k70"));
        assertThat(db.count("SELECT count(*) FROM __pocketsync_journal")).isZero();
    }

    @Test
    void catchUpInServerOrderLeavesForeignKeysIntact() {
        // Child created after the parent, parent updated later: the page order names the child first.
        List<Change> pages = List.of(
                change("child", "c1", Op.INSERT, row("id", "c", "parent_id", "p", "name", "kid"), 2),
                change("parent", "p1", Op.INSERT, row("id", "p", "name", "renamed"), 3));
        long cursor = 0;
        for (Change page : pages) {
            assertThat(capture.apply(List.of(page), List.of(cursor + 1), cursor, cursor + 1, ChangesMode.CATCH_UP, cursor == 1)
                    .accepted()).isTrue();
            cursor++;
        }
        assertThat(db.query("PRAGMA foreign_key_check")).isEmpty();
        assertThat(db.query("SELECT c.name AS kid, p.name AS parent FROM child c JOIN parent p ON p.id = c.parent_id"))
                .containsExactly(row("kid", "kid", "parent", "renamed"));
    }

    @Test
    void crashBetweenApplyAndCursorUpdateResumesWithoutDuplicates() throws Exception {
        AtomicBoolean crash = new AtomicBoolean(true);
        capture.close();
        capture = open(crashingOnCursorUpdate(db.dataSource, crash));
        List<Change> page = List.of(change("todo", "g1", Op.INSERT, row("id", "1", "title", "once"), 1),
                change("todo", "g2", Op.INSERT, row("id", "2"), 2));
        List<Long> sequences = List.of(1L, 2L);
        assertThatThrownBy(() -> capture.apply(page, sequences, 0, 2, ChangesMode.CATCH_UP, true)).hasMessageContaining("simulated crash");
        assertThat(db.count("SELECT count(*) FROM todo")).isZero();
        assertThat(capture.state().cursor()).isZero();
        crash.set(false);
        assertThat(capture.apply(page, sequences, 0, 2, ChangesMode.CATCH_UP, true).applied()).isEqualTo(2);
        assertThat(capture.apply(page, sequences, 2, 4, ChangesMode.LIVE, true).skipped()).isEqualTo(2);
        assertThat(db.count("SELECT count(*) FROM todo")).isEqualTo(2);
        assertThat(db.count("SELECT count(*) FROM __pocketsync_row_seq")).isEqualTo(2);
    }

    @Test
    void acknowledgementsMarkSupersedeAndReject() {
        db.exec("INSERT INTO todo (id, title) VALUES ('a', 'a'), ('b', 'b'), ('c', 'c')");
        List<LocalChange> pending = capture.pending(0, 10);
        Change lostTo = new Change("winner", "todo", pending.get(1).change().globalId(), Op.UPDATE, row("id", "b", "title", "server"),
                List.of(), new Hlc(hlcBase), "other-device");
        ApplyReport report = capture.acknowledge(List.of(
                ChangeResult.applied(pending.get(0).change().changeId(), 7),
                ChangeResult.superseded(pending.get(1).change().changeId(), lostTo),
                ChangeResult.rejected(pending.get(2).change().changeId(), ErrorCode.ROW_TOO_LARGE, "too large")));
        assertThat(report.applied()).isEqualTo(1);
        assertThat(capture.pendingCount()).isZero();
        assertThat(db.query("SELECT state, reason, server_seq FROM __pocketsync_changes ORDER BY seq")).containsExactly(
                row("state", "acked", "reason", null, "server_seq", 7),
                row("state", "superseded", "reason", null, "server_seq", 0),
                row("state", "rejected", "reason", "ROW_TOO_LARGE: too large", "server_seq", 0));
        assertThat(db.query("SELECT title FROM todo WHERE id = 'b'")).containsExactly(row("title", "server"));
    }

    @Test
    void stampsAfterTheServersTimeComeDownToItInOrderEvenWithNoOffsetMeasured() {
        db.exec("INSERT INTO todo (id, title) VALUES ('a', 'a'), ('b', 'b')");
        long server = capture.pending(0, 10).get(0).change().hlc().physicalMillis() - 600_000;
        assertThat(capture.restampAhead(server)).isEqualTo(2);
        List<LocalChange> clamped = capture.pending(0, 10);
        assertThat(clamped.get(0).change().hlc().physicalMillis()).isEqualTo(server);
        assertThat(clamped.get(1).change().hlc()).isGreaterThan(clamped.get(0).change().hlc());
        assertThat(clamped.get(1).change().hlc().physicalMillis()).isEqualTo(server);
        assertThat(capture.restampAhead(server)).as("nothing is after it now").isZero();
    }

    @Test
    void aChangeRefusedForItsClockIsPendingAgainUnderANewIdAndRestampedByTheNextOffset() {
        db.exec("INSERT INTO todo (id, title) VALUES ('a', 'a'), ('b', 'b')");
        List<LocalChange> pending = capture.pending(0, 10);
        String refusedId = pending.get(0).change().changeId();
        long stamped = pending.get(0).change().hlc().physicalMillis();
        capture.acknowledge(List.of(ChangeResult.rejected(refusedId, ErrorCode.CLOCK_SKEW, "too far ahead"),
                ChangeResult.rejected(pending.get(1).change().changeId(), ErrorCode.CLOCK_SKEW, "too far ahead")));

        List<LocalChange> again = capture.pending(0, 10);
        assertThat(again).hasSize(2);
        String newId = again.get(0).change().changeId();
        assertThat(newId).isNotEqualTo(refusedId).hasSameSizeAs(refusedId)
                .startsWith(refusedId.substring(0, refusedId.length() - 8));
        // the offset the engine measures from the ACK's server time restamps them (the clock jumped ten minutes
        // ahead), in their order
        capture.clockOffset(600_000);
        List<LocalChange> restamped = capture.pending(0, 10);
        assertThat(restamped.get(0).change().hlc().physicalMillis()).isLessThan(stamped - 500_000);
        assertThat(restamped.get(0).change().hlc()).isLessThan(restamped.get(1).change().hlc());
        capture.acknowledge(List.of(ChangeResult.applied(restamped.get(1).change().changeId(), 3)));

        // a clock still refused after three restamps leaves the change rejected, not queued for ever
        for (int i = 0; i < SkewedChanges.MAX_REQUEUES; i++) {
            String id = capture.pending(0, 10).get(0).change().changeId();
            capture.acknowledge(List.of(ChangeResult.rejected(id, ErrorCode.CLOCK_SKEW, "still ahead")));
        }
        assertThat(capture.pendingCount()).isZero();
        assertThat(db.query("SELECT state, reason FROM __pocketsync_changes WHERE tbl = 'todo' ORDER BY seq LIMIT 1"))
                .containsExactly(row("state", "rejected", "reason", "CLOCK_SKEW: still ahead"));
    }

    @Test
    void aLiveOfTheDevicesOwnChangesOnlyMovesTheCursor() {
        db.exec("INSERT INTO todo (id, title) VALUES ('a', 'mine')");
        ApplyReport report = capture.apply(List.of(), List.of(), 0, 3, ChangesMode.LIVE, true);
        assertThat(report.accepted()).isTrue();
        assertThat(report.applied()).isZero();
        assertThat(report.tables()).isEmpty();
        assertThat(capture.state().cursor()).isEqualTo(3);
        // an empty page writes no app row, so it leaves the local write in the journal for the next PUSH to seal
        assertThat(db.count("SELECT count(*) FROM __pocketsync_changes")).isZero();
        assertThat(capture.pendingCount()).isEqualTo(1);
        // a gap is still refused
        assertThat(capture.apply(List.of(), List.of(), 5, 6, ChangesMode.LIVE, true).accepted()).isFalse();
        assertThat(capture.state().cursor()).isEqualTo(3);
    }

    @Test
    void anAckSealsTheJournalOnlyWhenItWritesARow() {
        db.exec("INSERT INTO todo (id, title) VALUES ('a', 'first'), ('b', 'first')");
        List<LocalChange> sent = capture.pending(0, 10);
        db.exec("UPDATE todo SET title = 'second' WHERE id = 'a'"); // journaled while the PUSH is in flight

        capture.acknowledge(List.of(ChangeResult.applied(sent.get(0).change().changeId(), 1)));
        assertThat(db.count("SELECT count(*) FROM __pocketsync_changes WHERE state = 'acked'")).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM __pocketsync_changes")).isEqualTo(2); // the update is not sealed yet
        assertThat(db.count("SELECT count(*) FROM __pocketsync_journal")).isEqualTo(1);

        // a winner overwrites b: what is journaled is sealed first, so no local write is lost under it
        db.exec("UPDATE todo SET title = 'third' WHERE id = 'b'");
        Change b = sent.get(1).change();
        Change winner = new Change("remote-w", "todo", b.globalId(), Op.UPDATE, row("id", "b", "title", "theirs"), List.of(),
                new Hlc(b.hlc().value() + 1), "other-device");
        capture.acknowledge(List.of(ChangeResult.superseded(b.changeId(), winner, 2)));
        assertThat(db.count("SELECT count(*) FROM __pocketsync_journal")).isZero();
        // b's later local edit is pending, so the winner waits for that change's own ACK instead of overwriting it
        assertThat(db.query("SELECT title FROM todo WHERE id = 'b'")).containsExactly(row("title", "third"));
        assertThat(capture.pending(0, 10)).extracting(change -> change.change().row().get("title")).containsExactly("second", "third");
    }

    @Test
    void acknowledgedChangesArePrunedWhileSyncing() {
        capture.close();
        capture = new SqliteTriggerCapture(db.dataSource, Clock.systemUTC(), new CaptureOptions(Duration.ofSeconds(10), 2, 100_000));
        capture.install(List.of("todo", "parent", "child"));
        for (int i = 0; i < 6; i++) {
            db.exec("INSERT INTO todo (id, title) VALUES ('local-" + i + "', 'mine')");
        }
        List<LocalChange> pending = capture.pending(0, 10);
        List<ChangeResult> acks = new ArrayList<>();
        for (int i = 0; i < pending.size(); i++) {
            acks.add(ChangeResult.applied(pending.get(i).change().changeId(), i + 1));
        }
        capture.acknowledge(acks);
        // the server's LIVE of those six: only the cursor moves
        assertThat(capture.apply(List.of(), List.of(), 0, 6, ChangesMode.LIVE, true).accepted()).isTrue();
        long[] cursor = {6};
        for (int i = 0; i < 5; i++) {
            assertThat(capture.apply(List.of(change("todo", "r" + i, Op.INSERT, row("id", "remote-" + i), i)), List.of(cursor[0] + 1),
                    cursor[0], cursor[0] + 1, ChangesMode.CATCH_UP, true).applied()).isEqualTo(1);
            cursor[0]++;
        }
        // pruning runs at most every quarter second: keep syncing (empty LIVEs) until it has run
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            capture.apply(List.of(), List.of(), cursor[0], cursor[0] + 1, ChangesMode.LIVE, true);
            cursor[0]++;
            // acknowledged changes the cursor has passed are kept only up to acked-keep-rows (2) behind the newest
            assertThat(db.query("SELECT seq, state FROM __pocketsync_changes")).as("change log").hasSize(2);
        });
        assertThat(db.count("SELECT count(*) FROM todo")).isEqualTo(11);
    }

    @Test
    void rowSequencesFarBehindTheCursorArePrunedWhileNothingIsPending() {
        capture.close();
        capture = new SqliteTriggerCapture(db.dataSource, Clock.systemUTC(), new CaptureOptions(Duration.ofSeconds(10), 0, 4));
        capture.install(List.of("todo", "parent", "child"));
        // a change acknowledged at 11: once the cursor passes it, acked-keep-rows (0) shows when a prune has run
        db.exec("INSERT INTO todo (id, title) VALUES ('done', 'acked')");
        capture.acknowledge(List.of(ChangeResult.applied(capture.pending(0, 10).get(0).change().changeId(), 11)));
        db.exec("INSERT INTO todo (id, title) VALUES ('mine', 'pending')");
        for (int i = 1; i <= 10; i++) {
            capture.apply(List.of(change("todo", "r" + i, Op.INSERT, row("id", "remote-" + i), i)), List.of((long) i), i - 1, i,
                    ChangesMode.LIVE, true);
        }
        long[] cursor = {10};
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            capture.apply(List.of(), List.of(), cursor[0], cursor[0] + 1, ChangesMode.LIVE, true);
            cursor[0]++;
            return db.count("SELECT count(*) FROM __pocketsync_changes WHERE state = 'acked'") == 0;
        });
        // a prune ran while a local change waits for its ACK: no row sequence went (an ACK's winner is judged by them)
        assertThat(db.count("SELECT count(*) FROM __pocketsync_row_seq WHERE gid LIKE 'r%'")).isEqualTo(10);

        List<LocalChange> mine = capture.pending(0, 10);
        capture.acknowledge(List.of(ChangeResult.applied(mine.get(0).change().changeId(), cursor[0] + 1)));
        // nothing pending now: sequences 4 or more behind the cursor go
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            capture.apply(List.of(), List.of(), cursor[0], cursor[0] + 1, ChangesMode.LIVE, true);
            cursor[0]++;
            return db.count("SELECT count(*) FROM __pocketsync_row_seq WHERE gid LIKE 'r%'") == 0;
        });
        // an older state of a pruned row is refused by the cursor, not applied
        assertThat(capture.apply(List.of(change("todo", "r1", Op.DELETE, Map.of(), 0)), List.of(1L), 0, 1, ChangesMode.LIVE, true)
                .accepted()).isFalse();
        assertThat(db.count("SELECT count(*) FROM todo")).isEqualTo(12);
    }

    @Test
    void fullResyncKeepsPendingRowsAndDropsRowsTheServerLost() {
        capture.apply(List.of(change("todo", "gone", Op.INSERT, row("id", "gone"), 1),
                change("todo", "kept", Op.INSERT, row("id", "kept", "title", "old"), 2)), List.of(1L, 2L), 0, 2, ChangesMode.LIVE, true);
        db.exec("INSERT INTO todo (id, title) VALUES ('local', 'pending')");
        // a snapshot starts at 0 whatever the device's cursor; a later page alone does not start one
        assertThat(capture.apply(List.of(), List.of(), 2, 50, ChangesMode.SNAPSHOT, false).accepted()).isFalse();
        capture.apply(List.of(change("todo", "kept", Op.INSERT, row("id", "kept", "title", "new"), 3)), List.of(3L), 0, 50,
                ChangesMode.SNAPSHOT, false);
        // while resyncing, live messages and catch-up pages are refused: only the snapshot ends the resync
        assertThat(capture.apply(List.of(), List.of(), 50, 55, ChangesMode.LIVE, true).accepted()).isFalse();
        assertThat(capture.apply(List.of(), List.of(), 40, 70, ChangesMode.SNAPSHOT, false).accepted()).isFalse();
        assertThat(capture.state().resyncing()).isTrue();
        capture.apply(List.of(change("todo", "fresh", Op.INSERT, row("id", "fresh"), 4)), List.of(55L), 50, 60, ChangesMode.SNAPSHOT,
                true);
        assertThat(capture.state().resyncing()).isFalse();
        assertThat(capture.state().cursor()).isEqualTo(60);
        assertThat(db.query("SELECT id, title FROM todo ORDER BY id")).containsExactly(row("id", "fresh", "title", null),
                row("id", "kept", "title", "new"), row("id", "local", "title", "pending"));
        assertThat(capture.pendingCount()).isEqualTo(1);
    }

    /** A data source whose connections fail the cursor update, like a crash right after the rows were written. */
    private static DataSource crashingOnCursorUpdate(DataSource real, AtomicBoolean crash) {
        return (DataSource) Proxy.newProxyInstance(RemoteApplyTest.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    Object result = invoke(method, real, args);
                    if (!method.getName().equals("getConnection")) {
                        return result;
                    }
                    Connection connection = (Connection) result;
                    return Proxy.newProxyInstance(RemoteApplyTest.class.getClassLoader(), new Class<?>[] {Connection.class},
                            (p, m, a) -> {
                                if (m.getName().equals("prepareStatement") && crash.get() && String.valueOf(a[0]).contains("SET cursor = ?")) {
                                    throw new SQLException("simulated crash");
                                }
                                return invoke(m, connection, a);
                            });
                });
    }

    private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        }
        catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
