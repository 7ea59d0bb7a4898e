package io.pocketsync.device.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.capture.LocalChange;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteTriggerCaptureTest {
    @TempDir
    Path dir;
    TestDb db;
    SqliteTriggerCapture capture;

    @BeforeEach
    void setUp() {
        db = new TestDb(dir, "app.db");
        db.exec("CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT, done INTEGER, score REAL, data BLOB)");
        capture = new SqliteTriggerCapture(db.dataSource, Clock.systemUTC(), CaptureOptions.DEFAULTS);
    }

    @AfterEach
    void tearDown() {
        capture.close();
    }

    private List<Change> pending() {
        return capture.pending(0, 1_000_000).stream().map(LocalChange::change).collect(Collectors.toList());
    }

    @Test
    void capturesEachOperationExactlyOnce() {
        capture.install(List.of("todo"));
        // sealed after each statement (pendingCount seals), as the engine does after each commit it sees
        db.exec("INSERT INTO todo (id, title, done) VALUES ('a', 'one', 0), ('b', 'two', 0), ('c', 'three', 1)");
        assertThat(capture.pendingCount()).isEqualTo(3);
        db.exec("UPDATE todo SET done = 1 WHERE id IN ('a', 'b')");
        assertThat(capture.pendingCount()).isEqualTo(5);
        db.exec("UPDATE todo SET done = done, title = title");
        db.exec("UPDATE todo SET score = NULL");
        assertThat(capture.pendingCount()).isEqualTo(5);
        db.exec("DELETE FROM todo WHERE id = 'c'");

        List<Change> changes = pending();
        assertThat(changes).extracting(Change::op).containsExactly(Op.INSERT, Op.INSERT, Op.INSERT, Op.UPDATE, Op.UPDATE, Op.DELETE);
        assertThat(changes.get(3).changedColumns()).containsExactly("done");
        assertThat(changes.get(3).row()).containsEntry("done", 1L).containsEntry("title", "one").doesNotContainKey("ps_global_id");
        assertThat(changes.get(5).row()).isEmpty();
        assertThat(changes).extracting(c -> c.hlc().value()).isSorted().doesNotHaveDuplicates();
        assertThat(changes.stream().map(Change::changeId).distinct()).hasSize(6);
        String gidOfC = changes.get(2).globalId();
        assertThat(changes.get(5).globalId()).isEqualTo(gidOfC);
        assertThat(capture.pendingCount()).isEqualTo(6);
        assertThat(db.count("SELECT count(*) FROM todo WHERE ps_global_id IS NULL")).isZero();
    }

    @Test
    void rolledBackWritesLeaveNothing() throws Exception {
        capture.install(List.of("todo"));
        try (Connection c = db.dataSource.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("INSERT INTO todo (id, title) VALUES ('x', 'gone')");
            s.execute("UPDATE todo SET title = 'still gone'");
            c.rollback();
        }
        assertThat(capture.pendingCount()).isZero();
        assertThat(capture.tableVersions()).containsEntry("todo", 0L);
    }

    @Test
    void valuesSurviveTheRoundTrip() {
        capture.install(List.of("todo"));
        byte[] blob = {0, 1, (byte) 0xff, 0x7f, '"', '{'};
        db.exec("INSERT INTO todo (id, title, done, score, data) VALUES (?, ?, ?, ?, ?)", "u", "héllo \"wörld\" 🎉 {\"$b\":\"00\"}",
                -9_007_199_254_740_993L, 2.0, blob);
        db.exec("INSERT INTO todo (id) VALUES ('nulls')");
        Map<String, Object> row = pending().get(0).row();
        assertThat(row.get("title")).isEqualTo("héllo \"wörld\" 🎉 {\"$b\":\"00\"}");
        assertThat(row.get("done")).isEqualTo(-9_007_199_254_740_993L);
        assertThat(row.get("score")).isEqualTo(2.0);
        assertThat((byte[]) row.get("data")).containsExactly(blob);
        assertThat(pending().get(1).row()).containsEntry("title", null).containsEntry("data", null).hasSize(5);
    }

    @Test
    void reservedWordsAndQuotesInIdentifiers() {
        db.exec("CREATE TABLE \"order\" (\"group\" TEXT PRIMARY KEY, \"select\" INTEGER, \"we\"\"ird col\" TEXT)");
        capture.install(List.of("order"));
        db.exec("INSERT INTO \"order\" (\"group\", \"select\", \"we\"\"ird col\") VALUES ('g', 1, 'w')");
        assertThat(capture.pendingCount()).isEqualTo(1);
        db.exec("UPDATE \"order\" SET \"we\"\"ird col\" = 'x'");
        List<Change> changes = pending();
        assertThat(changes).hasSize(2);
        assertThat(changes.get(0).table()).isEqualTo("order");
        assertThat(changes.get(0).row()).containsEntry("group", "g").containsEntry("we\"ird col", "w");
        assertThat(changes.get(1).changedColumns()).containsExactly("we\"ird col");
    }

    @Test
    void existingRowsAreQueuedOnceOnFirstInstall() {
        db.exec("INSERT INTO todo (id, title) VALUES ('a', 'old'), ('b', 'older')");
        capture.install(List.of("todo"));
        capture.close();
        capture = new SqliteTriggerCapture(db.dataSource, Clock.systemUTC(), CaptureOptions.DEFAULTS);
        capture.install(List.of("todo"));
        List<Change> changes = pending();
        assertThat(changes).extracting(Change::op).containsExactly(Op.INSERT, Op.INSERT);
        assertThat(changes).extracting(c -> c.row().get("id")).containsExactly("a", "b");
        db.exec("INSERT INTO todo (id) VALUES ('c')");
        assertThat(pending().get(2).hlc()).isGreaterThan(changes.get(1).hlc());
    }

    @Test
    void externalProcessWritesAreCaptured() {
        capture.install(List.of("todo"));
        db.shell("INSERT INTO todo (id, title, data) VALUES ('s', 'from shell', x'00ff');"
                + "BEGIN; INSERT INTO todo (id) VALUES ('rolled'); ROLLBACK;");
        assertThat(capture.pendingCount()).isEqualTo(1);
        db.shell("UPDATE todo SET title = 'again' WHERE id = 's'; UPDATE todo SET title = 'again';");
        List<Change> changes = pending();
        assertThat(changes).extracting(Change::op).containsExactly(Op.INSERT, Op.UPDATE);
        assertThat((byte[]) changes.get(0).row().get("data")).containsExactly(0, 0xff);
        assertThat(changes.get(1).row()).containsEntry("title", "again");
        assertThat(changes.get(1).changedColumns()).containsExactly("title");
        assertThat(changes.get(1).hlc()).isGreaterThan(changes.get(0).hlc());
    }

    @Test
    void schemaChangeRegeneratesTriggersWithoutLosingChanges() {
        capture.install(List.of("todo"));
        db.exec("INSERT INTO todo (id) VALUES ('before')");
        assertThat(capture.refreshSchema()).isFalse();
        db.shell("ALTER TABLE todo ADD COLUMN tag TEXT;");
        db.exec("INSERT INTO todo (id, tag) VALUES ('between', 'lost-column-until-refresh')");
        assertThat(capture.refreshSchema()).isTrue();
        db.exec("INSERT INTO todo (id, tag) VALUES ('after', 't')");
        List<Change> changes = pending();
        // 'between' holds a value in the added column, so the regeneration also queues it as an UPDATE of that
        // column (AddedColumns): a duplicate here, but the only record of such a write when the INSERT went out earlier
        assertThat(changes).extracting(c -> c.row().get("id") + " " + c.op()).containsExactly("before INSERT", "between INSERT",
                "between UPDATE", "after INSERT");
        assertThat(changes.get(1).row()).containsEntry("tag", "lost-column-until-refresh");
        assertThat(changes.get(2).row()).containsEntry("tag", "lost-column-until-refresh");
        assertThat(changes.get(3).row()).containsEntry("tag", "t");
        assertThat(capture.refreshSchema()).isFalse();
    }

    @Test
    void integerKeysAreAcceptedAndMissingTablesRefused() {
        db.exec("CREATE TABLE counter (id INTEGER PRIMARY KEY AUTOINCREMENT, n INTEGER)");
        capture.install(List.of("counter"));
        db.exec("INSERT INTO counter (n) VALUES (1)");
        assertThat(capture.pendingCount()).isEqualTo(1);
        assertThatThrownBy(() -> capture.install(List.of("missing")))
                .isInstanceOf(PocketSyncException.class)
                .extracting(e -> ((PocketSyncException) e).code()).isEqualTo(ErrorCode.SCHEMA_INVALID);
    }

    @Test
    void wideTablesAreSplicedIntoOneImage() {
        StringBuilder ddl = new StringBuilder("CREATE TABLE wide (id TEXT PRIMARY KEY");
        for (int i = 0; i < 130; i++) {
            ddl.append(", c").append(i).append(" INTEGER");
        }
        db.exec(ddl.append(')').toString());
        capture.install(List.of("wide"));
        db.exec("INSERT INTO wide (id, c0, c129) VALUES ('w', 1, 129)");
        Map<String, Object> row = pending().get(0).row();
        assertThat(row).hasSize(131).containsEntry("c129", 129L).containsEntry("c0", 1L).containsEntry("c64", null);
    }

    @Test
    void clockMergeMovesTheTriggerClockForward() {
        capture.install(List.of("todo"));
        Hlc ahead = Hlc.of(System.currentTimeMillis() + 60_000, 5);
        capture.mergeClock(ahead);
        db.exec("INSERT INTO todo (id) VALUES ('later')");
        assertThat(pending().get(0).hlc()).isGreaterThan(ahead);
        assertThat(capture.state().hlc()).isGreaterThan(ahead);
    }

    @Test
    void writesBetweenTwoSealsCoalescePerRow() {
        capture.install(List.of("todo"));
        db.exec("INSERT INTO todo (id, title, done) VALUES ('kept', 'one', 0), ('edited', 'two', 0), ('doomed', 'x', 0)");
        assertThat(capture.pendingCount()).isEqualTo(3);
        // one transaction per statement, all before the next seal
        db.exec("INSERT INTO todo (id, title) VALUES ('new', 'draft')");
        db.exec("UPDATE todo SET title = 'final' WHERE id = 'new'");
        db.exec("INSERT INTO todo (id, title) VALUES ('temp', 'born and died')");
        db.exec("DELETE FROM todo WHERE id = 'temp'");
        db.exec("UPDATE todo SET title = 'three' WHERE id = 'edited'");
        db.exec("UPDATE todo SET done = 1 WHERE id = 'edited'");
        db.exec("UPDATE todo SET title = 'y' WHERE id = 'doomed'");
        db.exec("DELETE FROM todo WHERE id = 'doomed'");

        List<Change> sealed = pending().subList(3, pending().size());
        assertThat(sealed).extracting(Change::op).containsExactly(Op.INSERT, Op.UPDATE, Op.DELETE);
        assertThat(sealed.get(0).row()).containsEntry("id", "new").containsEntry("title", "final");
        assertThat(sealed.get(1).row()).containsEntry("title", "three").containsEntry("done", 1L);
        assertThat(sealed.get(1).changedColumns()).containsExactlyInAnyOrder("title", "done");
        assertThat(db.count("SELECT count(*) FROM __pocketsync_journal")).isZero();
        assertThat(capture.tableVersions()).containsEntry("todo", 11L); // every captured row write counts
    }

    @Test
    void aClockOffsetRestampsWhatIsPendingAndStampsLaterWritesWithTheServersTime() {
        capture.install(List.of("todo"));
        db.exec("INSERT INTO todo (id) VALUES ('before')");
        long tenMinutes = 600_000;
        // this device's clock is ten minutes ahead of the server's, as WELCOME measured
        capture.clockOffset(tenMinutes);
        db.exec("INSERT INTO todo (id) VALUES ('after')");
        List<Change> changes = pending();
        long now = System.currentTimeMillis();
        assertThat(changes).extracting(c -> c.row().get("id")).containsExactly("before", "after");
        assertThat(changes).allSatisfy(c -> assertThat(c.hlc().physicalMillis()).isBetween(now - tenMinutes - 30_000,
                now - tenMinutes + 1_000));
        assertThat(changes.get(1).hlc()).isGreaterThan(changes.get(0).hlc());
        // the same offset again restamps nothing; back to an honest clock moves both forward again, in order
        capture.clockOffset(tenMinutes);
        assertThat(pending()).extracting(Change::hlc).containsExactlyElementsOf(changes.stream().map(Change::hlc).toList());
        capture.clockOffset(0);
        assertThat(pending()).allSatisfy(c -> assertThat(c.hlc().physicalMillis()).isGreaterThan(now - 30_000));
    }

    @Test
    void aCopiedFileTakesANewDeviceIdAndTheOriginalKeepsItsOwn() throws Exception {
        capture.install(List.of("todo"));
        db.exec("INSERT INTO todo (id) VALUES ('before-copy')");
        String original = capture.state().deviceId();
        capture.close();
        java.nio.file.Files.copy(db.file, dir.resolve("copy.db"));

        TestDb copy = new TestDb(dir, "copy.db");
        SqliteTriggerCapture copied = new SqliteTriggerCapture(copy.dataSource, Clock.systemUTC(), CaptureOptions.DEFAULTS);
        try {
            copied.install(List.of("todo"));
            String copyId = copied.state().deviceId();
            assertThat(copyId).isNotEqualTo(original).matches("[0-9a-f]{32}");
            // what the copy held is kept: its pending change is still there to push
            assertThat(copied.pending(0, 10)).extracting(c -> c.change().row().get("id")).containsExactly("before-copy");
            copied.close();
            copied = new SqliteTriggerCapture(copy.dataSource, Clock.systemUTC(), CaptureOptions.DEFAULTS);
            copied.install(List.of("todo"));
            assertThat(copied.state().deviceId()).as("reopening the copy keeps its new id").isEqualTo(copyId);
        }
        finally {
            copied.close();
        }
        capture = new SqliteTriggerCapture(db.dataSource, Clock.systemUTC(), CaptureOptions.DEFAULTS);
        capture.install(List.of("todo"));
        assertThat(capture.state().deviceId()).isEqualTo(original);
    }

    @Test
    void aWriteIntoAColumnAddedWhileTheTriggersWereOldIsNotLost() {
        capture.install(List.of("todo"));
        db.exec("INSERT INTO todo (id, title) VALUES ('k', 't'), ('other', 'u')");
        assertThat(pending()).hasSize(2);
        db.exec("UPDATE __pocketsync_changes SET state = 'acked'");
        // the app upgrades while the old triggers (AFTER UPDATE OF id, title, ...) are still in place
        db.exec("ALTER TABLE todo ADD COLUMN note TEXT");
        db.exec("ALTER TABLE todo ADD COLUMN stars INTEGER NOT NULL DEFAULT 0");
        db.exec("UPDATE todo SET note = 'x' WHERE id = 'k'");
        db.exec("UPDATE todo SET stars = 0 WHERE id = 'other'"); // its default: nothing to send
        assertThat(db.count("SELECT count(*) FROM __pocketsync_journal")).isZero();

        capture.refreshSchema();
        List<Change> changes = pending();
        assertThat(changes).hasSize(1);
        assertThat(changes.get(0).op()).isEqualTo(Op.UPDATE);
        assertThat(changes.get(0).row()).containsEntry("id", "k").containsEntry("note", "x");
        assertThat(changes.get(0).changedColumns()).containsExactlyInAnyOrder("note", "stars");
    }

    @Test
    void aRowWhoseRowidTheJournalLostIsFoundBySweep() {
        db.exec("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER)");
        capture.install(List.of("counter"));
        db.exec("INSERT INTO counter (id, n) VALUES (1, 1), (2, 2)");
        db.exec("UPDATE counter SET id = 100 WHERE id = 1"); // moves the rowid of a row not sealed yet
        db.exec("UPDATE __pocketsync_journal SET rid = 999 WHERE rid = 2"); // as if VACUUM had renumbered it
        List<Change> changes = pending();
        assertThat(changes).extracting(Change::op).containsExactly(Op.INSERT, Op.INSERT);
        // an INTEGER PRIMARY KEY is local to the device: rows travel without it, named by ps_global_id
        assertThat(changes).extracting(c -> c.row().get("n")).containsExactlyInAnyOrder(1L, 2L);
        assertThat(changes).allSatisfy(c -> assertThat(c.row()).doesNotContainKey("id"));
        assertThat(db.count("SELECT count(*) FROM counter WHERE ps_global_id IS NULL")).isZero();
    }

    @Test
    void sealingAgainAfterALostSealGivesTheSameIds() {
        capture.install(List.of("todo"));
        db.exec("INSERT INTO todo (id) VALUES ('a'), ('b')");
        db.exec("VACUUM INTO '" + dir.resolve("before-seal.db") + "'");
        List<String> ids = pending().stream().map(Change::globalId).toList();
        capture.close();

        // the seal's transaction lost (power loss with synchronous=NORMAL): the database as it was before it
        TestDb restored = new TestDb(dir, "before-seal.db");
        capture = new SqliteTriggerCapture(restored.dataSource, Clock.systemUTC(), CaptureOptions.DEFAULTS);
        capture.install(List.of("todo"));
        assertThat(pending()).extracting(Change::globalId).containsExactlyElementsOf(ids);
        // todo has a TEXT primary key: its ids are derived from it (NaturalIds)
        assertThat(ids).containsExactly(NaturalIds.of("todo", List.of("a")), NaturalIds.of("todo", List.of("b")));
        assertThat(ids).allSatisfy(id -> assertThat(id).hasSize(33).matches("n[0-9a-f]+"));
    }

    @Test
    void rowsWithoutANaturalKeyGetIdsMadeOfTimeDeviceAndCounter() {
        db.exec("CREATE TABLE log (id INTEGER PRIMARY KEY, line TEXT)");
        capture.install(List.of("log"));
        db.exec("INSERT INTO log (line) VALUES ('x'), ('x')");
        assertThat(pending()).extracting(Change::globalId).doesNotHaveDuplicates()
                .allSatisfy(id -> assertThat(id).hasSize(32).matches("[0-9a-f]+"));
    }

    @Test
    void anAppInsertWithItsOwnIdIsCapturedUnderThatId() {
        capture.install(List.of("todo"));
        db.exec("INSERT INTO todo (id, title, ps_global_id) VALUES ('own', 'mine', 'app-chosen-id')");
        List<Change> changes = pending();
        assertThat(changes).singleElement().satisfies(c -> {
            assertThat(c.op()).isEqualTo(Op.INSERT);
            assertThat(c.globalId()).isEqualTo("app-chosen-id");
            assertThat(c.row()).containsEntry("title", "mine");
        });
    }

    @Test
    void columnsPastTheMaskWidthShareItsLastBit() {
        StringBuilder ddl = new StringBuilder("CREATE TABLE wide (id TEXT PRIMARY KEY");
        for (int i = 0; i < 100; i++) {
            ddl.append(", c").append(i).append(" INTEGER");
        }
        db.exec(ddl.append(')').toString());
        capture.install(List.of("wide"));
        db.exec("INSERT INTO wide (id) VALUES ('w')");
        assertThat(capture.pendingCount()).isEqualTo(1);
        db.exec("UPDATE wide SET c5 = 5, c90 = 90");
        List<String> changed = pending().get(1).changedColumns();
        // c5 has its own bit; from c61 (column 62, after id) on all columns share bit 62
        assertThat(changed).contains("c5", "c61", "c90", "c99").doesNotContain("id", "c0", "c60");
    }

    @Test
    void aPushSealsOnlyAsFarAsItNeedsAndTableVersionsCountWhatIsNotSealedYet() {
        capture.install(List.of("todo"));
        long before = capture.tableVersions().get("todo");
        db.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)"
                + " INSERT INTO todo (id, title) SELECT 'r' || i, 'title ' || i FROM n");
        assertThat(capture.tableVersions().get("todo")).isEqualTo(before + 5000);

        List<LocalChange> first = capture.pending(0, 500);
        assertThat(first).hasSize(500);
        assertThat(first.get(0).change().row()).containsEntry("id", "r1");
        assertThat(db.count("SELECT count(*) FROM __pocketsync_journal")).isBetween(1L, 4500L);
        assertThat(capture.tableVersions().get("todo")).isEqualTo(before + 5000);

        List<Change> all = pending();
        assertThat(all).hasSize(5000).allMatch(change -> change.op() == Op.INSERT);
        assertThat(all).extracting(change -> change.row().get("id")).startsWith("r1", "r2", "r3").endsWith("r5000");
        assertThat(all.stream().map(Change::globalId).distinct().count()).isEqualTo(5000);
        assertThat(db.count("SELECT count(*) FROM __pocketsync_journal")).isZero();
        assertThat(db.count("SELECT count(*) FROM todo WHERE ps_global_id IS NULL")).isZero();
        assertThat(capture.tableVersions().get("todo")).isEqualTo(before + 5000);
    }

    @Test
    void rowsUpdatedBeforeTheirInsertWasSealedInAnEarlierRoundAreQueuedOnceWithTheirLatestImage() {
        capture.install(List.of("todo"));
        db.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500)"
                + " INSERT INTO todo (id, title) SELECT 'r' || i, 'old' FROM n");
        db.exec("UPDATE todo SET title = 'new'");
        assertThat(capture.pending(0, 500)).hasSize(500); // seals the first round: 1,000 of the inserts

        List<Change> all = pending();
        assertThat(all).hasSize(1500).allMatch(change -> change.op() == Op.INSERT)
                .allMatch(change -> "new".equals(change.row().get("title")));
    }

    @Test
    void aMergedClockNeverStampsAWriteJournaledBeforeTheMerge() {
        capture.install(List.of("todo"));
        db.exec("INSERT INTO todo (id, title) VALUES ('1', 'written before the merge')");
        Hlc remote = Hlc.of(System.currentTimeMillis() + 3_600_000, 0);
        capture.mergeClock(remote);
        db.exec("INSERT INTO todo (id, title) VALUES ('2', 'written after the merge')");

        List<Change> changes = pending();
        assertThat(changes).hasSize(2);
        assertThat(changes.get(0).hlc().value()).isLessThan(remote.value());
        assertThat(changes.get(1).hlc().value()).isGreaterThan(remote.value());
    }

    @Test
    void clockMergesWaitInTheJournalBehindTheWritesBeforeThem() {
        capture.install(List.of("todo"));
        long now = System.currentTimeMillis();
        Hlc first = Hlc.of(now + 3_600_000, 0);
        Hlc second = Hlc.of(now + 7_200_000, 0);
        db.exec("INSERT INTO todo (id, title) VALUES ('1', 'before both merges')");
        Map<String, Long> versions = capture.tableVersions();
        capture.mergeClock(first);
        db.exec("INSERT INTO todo (id, title) VALUES ('2', 'between the merges')");
        capture.mergeClock(second);
        db.exec("INSERT INTO todo (id, title) VALUES ('3', 'after both merges')");
        // nothing was sealed by the merges: the writes and both markers wait in the journal
        assertThat(db.count("SELECT count(*) FROM __pocketsync_changes")).isZero();
        assertThat(db.count("SELECT count(*) FROM __pocketsync_journal WHERE op = " + JournalSealer.OP_CLOCK)).isEqualTo(2);
        assertThat(capture.tableVersions().get("todo")).isEqualTo(versions.get("todo") + 2);

        List<Change> changes = pending();
        assertThat(changes).extracting(change -> change.row().get("id")).containsExactly("1", "2", "3");
        assertThat(changes.get(0).hlc()).isLessThan(first);
        assertThat(changes.get(1).hlc()).isGreaterThan(first).isLessThan(second);
        assertThat(changes.get(2).hlc()).isGreaterThan(second);
        assertThat(db.count("SELECT count(*) FROM __pocketsync_journal")).isZero();
        assertThat(capture.state().hlc()).isGreaterThan(second);
    }

    @Test
    void aClockMergeWithNothingJournaledMovesTheClockAtOnce() {
        capture.install(List.of("todo"));
        Hlc ahead = Hlc.of(System.currentTimeMillis() + 60_000, 0);
        capture.mergeClock(ahead);
        assertThat(db.count("SELECT count(*) FROM __pocketsync_journal")).isZero();
        assertThat(capture.state().hlc()).isEqualTo(ahead);
    }
}
