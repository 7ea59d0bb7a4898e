package io.pocketsync.device.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.capture.ApplyReport;
import io.pocketsync.api.capture.ChangeCapture;
import io.pocketsync.api.capture.LocalChange;
import io.pocketsync.api.capture.TableCatchUp;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
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
 * The device's state machine of a table catch-up (docs/protocol.md 3.8): pages of a table tracked after the device synced
 * move their own cursor, not the main one, follow the row sequence rules against the main cursor's LIVE, survive a
 * restart, and subscribe the table with their last page.
 */
class TableJoinTest {
    private static final List<String> NOTE = List.of("note");

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
        // synced todo up to 40 (the main cursor), then the app tracks note too
        assertThat(capture.apply(List.of(todo("t1")), List.of(40L), 0, 40, ChangesMode.CATCH_UP, true).accepted()).isTrue();
        reopen(List.of("todo", "note"));
        capture.subscribe();
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

    private void reopen(List<String> tables) {
        capture.close();
        capture = open(tables);
    }

    private Change todo(String id) {
        return new Change("c-" + id, "todo", "g" + id, Op.INSERT, Map.of("id", id, "title", "todo " + id), List.of(),
                new Hlc(now - 100_000), "device-e");
    }

    private Change note(String id, Op op, String body, long hlcOffset) {
        Map<String, Object> row = new LinkedHashMap<>();
        if (op != Op.DELETE) {
            row.put("id", id);
            row.put("body", body);
        }
        return new Change("c-" + id + "-" + body, "note", "g" + id, op, row, List.of(), new Hlc(now - 100_000 + hlcOffset),
                "device-e");
    }

    private List<Object> notes() {
        return db.query("SELECT id || '=' || body AS r FROM note ORDER BY id").stream().map(r -> r.get("r")).toList();
    }

    private List<Object> subscribed() {
        return db.query("SELECT tbl FROM __pocketsync_subscribed ORDER BY tbl").stream().map(r -> r.get("tbl")).toList();
    }

    @Test
    void pagesMoveTheirOwnCursorAndTheLastOneSubscribesTheTable() {
        ApplyReport first = capture.applyTables(NOTE, List.of(note("n1", Op.INSERT, "one", 0)), List.of(3L), 0, 20, false);
        assertThat(first.applied()).isEqualTo(1);
        assertThat(capture.state().cursor()).as("the main cursor stays").isEqualTo(40);
        assertThat(capture.tableCatchUp()).isEqualTo(new TableCatchUp(NOTE, 20));
        assertThat(subscribed()).containsExactly("todo");

        capture.applyTables(NOTE, List.of(note("n2", Op.INSERT, "two", 1)), List.of(38L), 20, 45, false);
        capture.applyTables(NOTE, List.of(), List.of(), 45, 50, true);
        assertThat(notes()).containsExactly("n1=one", "n2=two");
        assertThat(capture.tableCatchUp()).isNull();
        assertThat(subscribed()).containsExactly("note", "todo");
        assertThat(capture.pendingCount()).as("nothing of it is captured as a local write").isZero();
    }

    @Test
    void aPageThatDoesNotFitTheStoredStateIsRefusedAndOneFromZeroStartsAgain() {
        capture.applyTables(NOTE, List.of(note("n1", Op.INSERT, "one", 0)), List.of(3L), 0, 20, false);
        assertThat(capture.applyTables(NOTE, List.of(note("n2", Op.INSERT, "two", 1)), List.of(25L), 22, 30, false).accepted())
                .as("not at its cursor").isFalse();
        assertThat(capture.applyTables(List.of("todo"), List.of(), List.of(), 20, 30, false).accepted())
                .as("other tables").isFalse();
        assertThat(capture.tableCatchUp().cursor()).isEqualTo(20);

        assertThat(capture.applyTables(NOTE, List.of(note("n1", Op.INSERT, "one", 0)), List.of(3L), 0, 10, false).accepted())
                .as("a server that lost its history starts again from 0").isTrue();
        assertThat(capture.tableCatchUp().cursor()).isEqualTo(10);
        assertThat(notes()).containsExactly("n1=one");
    }

    @Test
    void aLiveOfTheNewTableBeatsAnOlderPageOfTheSameRow() {
        // the main cursor's LIVE carries the new table from the HELLO on: n1 edited at 41, then the page read before it
        capture.apply(List.of(note("n1", Op.UPDATE, "edited", 5)), List.of(41L), 40, 41, ChangesMode.LIVE, true);
        ApplyReport page = capture.applyTables(NOTE, List.of(note("n1", Op.INSERT, "old", 0)), List.of(3L), 0, 41, true);
        assertThat(page.skipped()).isEqualTo(1);
        assertThat(notes()).containsExactly("n1=edited");
    }

    @Test
    void aRowDeletedMeanwhileStaysDeleted() {
        capture.applyTables(NOTE, List.of(note("n1", Op.INSERT, "one", 0), note("n2", Op.INSERT, "two", 1)), List.of(3L, 4L),
                0, 20, false);
        // n1 deleted at 41 (LIVE), n2's delete comes in the table catch-up's next page (it existed at its cursor)
        capture.apply(List.of(note("n1", Op.DELETE, "", 9)), List.of(41L), 40, 41, ChangesMode.LIVE, true);
        capture.applyTables(NOTE, List.of(note("n2", Op.DELETE, "", 10)), List.of(42L), 20, 42, true);
        assertThat(notes()).isEmpty();
        // a late page of the old state of n1 (a PULL sent before the delete) writes nothing back
        assertThat(capture.tableCatchUp()).isNull();
    }

    @Test
    void whileAPageReachedAboveTheMainCursorMainPullsAskForEveryTombstoneAfterIt() {
        assertThat(capture.ownChangesFrom(40)).isZero();
        capture.applyTables(NOTE, List.of(note("n1", Op.INSERT, "born after 40", 0)), List.of(44L), 0, 45, true);
        // n1 was born at 44 and may die before the main cursor gets there: a catch-up from 40 must send its tombstone
        assertThat(capture.ownChangesFrom(40)).isEqualTo(41);
        capture.apply(List.of(), List.of(), 40, 45, ChangesMode.LIVE, true);
        assertThat(capture.ownChangesFrom(45)).as("the main cursor passed every page").isZero();
    }

    @Test
    void aRestartResumesFromTheLastAppliedPage() {
        capture.applyTables(NOTE, List.of(note("n1", Op.INSERT, "one", 0)), List.of(3L), 0, 20, false);
        reopen(List.of("todo", "note"));
        capture.subscribe();
        assertThat(capture.tableCatchUp()).isEqualTo(new TableCatchUp(NOTE, 20));
        // the same page again (its answer came twice) is refused; the next one applies
        assertThat(capture.applyTables(NOTE, List.of(note("n1", Op.INSERT, "one", 0)), List.of(3L), 0, 20, false).skipped())
                .as("from 0 it starts again, and the row holds that state already").isEqualTo(1);
        capture.applyTables(NOTE, List.of(note("n2", Op.INSERT, "two", 1)), List.of(30L), 20, 40, true);
        assertThat(notes()).containsExactly("n1=one", "n2=two");
    }

    @Test
    void aLocalRowOfTheNewTableIsPushedAndALaterLocalEditIsNotOverwritten() {
        db.exec("INSERT INTO note (id, body) VALUES ('mine', 'local')");
        List<LocalChange> pending = capture.pending(0, 10);
        assertThat(pending).extracting(p -> p.change().table()).containsExactly("note");
        Change local = pending.get(0).change();
        // the server holds an older state of the same row (a natural key): the pending local change wins
        Change older = new Change("c-older", "note", local.globalId(), Op.INSERT, Map.of("id", "mine", "body", "server"),
                List.of(), new Hlc(local.hlc().value() - 1_000), "device-e");
        ApplyReport page = capture.applyTables(NOTE, List.of(older), List.of(7L), 0, 40, true);
        assertThat(page.skipped()).isEqualTo(1);
        assertThat(notes()).containsExactly("mine=local");
        assertThat(capture.pendingCount()).isEqualTo(1);
    }

    @Test
    void aFullResyncEndsTheTableCatchUp() {
        capture.applyTables(NOTE, List.of(note("n1", Op.INSERT, "one", 0)), List.of(3L), 0, 45, false);
        assertThat(capture.ownChangesFrom(40)).isEqualTo(41);
        capture.apply(List.of(todo("t1"), note("n1", Op.INSERT, "one", 0)), List.of(40L, 3L), 0, 40, ChangesMode.SNAPSHOT, false);
        assertThat(capture.tableCatchUp()).as("the snapshot brings every subscribed table").isNull();
        assertThat(subscribed()).containsExactly("note", "todo");
        assertThat(capture.ownChangesFrom(40)).as("the snapshot sends every row again: the mark is void").isZero();
    }

    @Test
    void eachScopeHasItsOwnTableCatchUp() {
        capture.close();
        db = new TestDb(dir, "scopes.db");
        db.exec("CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT)", "CREATE TABLE note (id TEXT PRIMARY KEY, body TEXT)",
                "CREATE TABLE tag (id TEXT PRIMARY KEY, name TEXT)");
        capture = open(List.of("todo", "tag"));
        ChangeCapture mine = capture.scope("alice", List.of("todo"));
        ChangeCapture team = capture.scope("team", List.of("tag"));
        mine.subscribe();
        team.subscribe();
        mine.apply(List.of(todo("t1")), List.of(40L), 0, 40, ChangesMode.CATCH_UP, true);
        team.apply(List.of(), List.of(), 0, 7, ChangesMode.CATCH_UP, true);

        reopen(List.of("todo", "note", "tag"));
        mine = capture.scope("alice", List.of("todo", "note"));
        team = capture.scope("team", List.of("tag"));
        mine.subscribe();
        team.subscribe();
        assertThat(mine.tableCatchUp()).isEqualTo(new TableCatchUp(NOTE, 0));
        assertThat(team.tableCatchUp()).isNull();
        mine.applyTables(NOTE, List.of(), List.of(), 0, 12, false);
        assertThat(team.applyTables(NOTE, List.of(), List.of(), 12, 13, true).accepted()).isFalse();
        assertThat(mine.tableCatchUp()).isEqualTo(new TableCatchUp(NOTE, 12));
        assertThat(mine.state().cursor()).isEqualTo(40);
        assertThat(team.state().cursor()).isEqualTo(7);
    }
}
