package io.pocketsync.device.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.capture.BulkPage;
import io.pocketsync.api.capture.LocalChange;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.protocol.AppliedRange;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangesMode;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bulk path (docs/architecture.md 4.3a): a table that holds at least {@link BulkInstall#MIN_ROWS} rows when it is
 * first tracked gets its ids at install, no journal or change-log rows, and is pushed in pages read from the table,
 * recorded at their ACK by one cursor write and one range of sequences.
 */
class BulkInstallTest {
    private static final int ROWS = 25_000;
    private static final int PAGE = 1_000;
    private static final long BIG = 1L << 30;

    @TempDir
    Path dir;
    TestDb db;
    SqliteTriggerCapture capture;

    @BeforeEach
    void setUp() {
        db = new TestDb(dir, "app.db");
        db.exec("CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT, done INTEGER, email TEXT UNIQUE)");
        db.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + ROWS + ")"
                + " INSERT INTO todo (id, title, done, email) SELECT 'row-' || i, 'title ' || i, i % 2, 'e' || i FROM n");
        capture = new SqliteTriggerCapture(db.dataSource, Clock.systemUTC(), CaptureOptions.DEFAULTS);
        capture.install(List.of("todo"));
    }

    @AfterEach
    void tearDown() {
        capture.close();
    }

    @Test
    void theExistingRowsGetTheirNaturalIdsAtInstallWithoutAJournalOrChangeLogRow() {
        assertThat(db.count("SELECT count(*) FROM __pocketsync_changes")).isZero();
        assertThat(db.count("SELECT count(*) FROM __pocketsync_journal")).isZero();
        assertThat(db.count("SELECT count(*) FROM todo WHERE ps_global_id IS NULL")).isZero();
        for (Map<String, Object> row : db.query("SELECT id, ps_global_id FROM todo WHERE rowid % 997 = 1")) {
            assertThat(row.get("ps_global_id")).isEqualTo(NaturalIds.of("todo", List.of(row.get("id"))));
        }
        assertThat(db.count("SELECT count(*) FROM sqlite_master WHERE name = '__pocketsync_gid_todo' AND sql LIKE '%UNIQUE%'"))
                .as("the id index, built again after").isEqualTo(1);
        assertThat(capture.pendingCount()).isEqualTo(ROWS);
        assertThat(capture.pending(0, 10)).as("nothing on the per-change path").isEmpty();
    }

    @Test
    void pagesFollowTheRowidOrderAndAreTheSameWhenReadAgain() {
        BulkPage first = capture.bulkPage(null, PAGE, BIG);
        BulkPage second = capture.bulkPage(first, PAGE, BIG);

        assertThat(first.changes()).hasSize(PAGE).extracting(Change::op).containsOnly(Op.INSERT);
        assertThat(first.changes().get(0).row()).containsEntry("id", "row-1").containsEntry("title", "title 1")
                .doesNotContainKey("ps_global_id");
        assertThat(second.changes().get(0).row()).containsEntry("id", "row-" + (PAGE + 1));
        assertThat(capture.bulkPage(null, PAGE, BIG).changes()).extracting(Change::changeId)
                .isEqualTo(first.changes().stream().map(Change::changeId).toList());
        assertThat(first.changes()).extracting(c -> c.hlc().value()).containsOnly(first.changes().get(0).hlc().value());
        assertThat(capture.bulkPage(null, 10, 600).changes()).as("cut at the byte budget, one row at least").hasSize(1);
    }

    @Test
    void aCompactAckMovesTheCursorAndRecordsOneRangeInsteadOfEachRow() {
        BulkPage first = capture.bulkPage(null, PAGE, BIG);

        capture.acknowledgeBulk(first, List.of(), new AppliedRange(1, PAGE, PAGE));

        assertThat(capture.pendingCount()).isEqualTo(ROWS - PAGE);
        assertThat(db.count("SELECT count(*) FROM __pocketsync_row_seq")).isZero();
        assertThat(db.count("SELECT count(*) FROM __pocketsync_bulk_seq")).isEqualTo(1);
        assertThat(capture.bulkPage(null, PAGE, BIG).changes().get(0).row()).containsEntry("id", "row-" + (PAGE + 1));
        // a stale state of a row of that page arrives late: skipped; a later one is written
        String gid = first.changes().get(4).globalId();
        capture.apply(List.of(remote("r1", gid, "row-5", "stale", 5)), List.of(500L), 0, 500, ChangesMode.CATCH_UP, false);
        assertThat(title("row-5")).isEqualTo("title 5");
        capture.apply(List.of(remote("r2", gid, "row-5", "newer", Long.MAX_VALUE >> 1)), List.of(1500L), 500, 1500, ChangesMode.CATCH_UP, false);
        assertThat(title("row-5")).isEqualTo("newer");
    }

    @Test
    void aRemoteChangeOfARowNotAcknowledgedYetWaitsForItsPageUnlessItIsLater() {
        BulkPage first = capture.bulkPage(null, PAGE, BIG);
        String older = first.changes().get(1).globalId();
        String later = first.changes().get(2).globalId();

        capture.apply(List.of(remote("r1", older, "row-2", "older", 1), remote("r2", later, "row-3", "later", Long.MAX_VALUE >> 1)),
                List.of(10L, 11L), 0, 11, ChangesMode.LIVE, true);

        assertThat(title("row-2")).as("kept aside: the bulk INSERT is later").isEqualTo("title 2");
        assertThat(title("row-3")).isEqualTo("later");
        assertThat(db.count("SELECT count(*) FROM __pocketsync_deferred")).isEqualTo(1);

        capture.acknowledgeBulk(first, List.of(), new AppliedRange(12, 12 + PAGE - 1, PAGE));

        assertThat(db.count("SELECT count(*) FROM __pocketsync_deferred")).as("settled by the page's ACK").isZero();
        assertThat(title("row-2")).isEqualTo("title 2");
    }

    @Test
    void rowsTheAckNamesAreDecidedByTheOrdinaryAckLogic() {
        BulkPage first = capture.bulkPage(null, PAGE, BIG);
        Change lost = first.changes().get(0);
        Change refused = first.changes().get(1);
        Change winner = new Change("other-1", "todo", lost.globalId(), Op.INSERT, row("row-1", "theirs", "e1"), List.of(),
                new Hlc(Long.MAX_VALUE >> 1), "other");

        capture.acknowledgeBulk(first, List.of(ChangeResult.superseded(lost.changeId(), winner, 7),
                ChangeResult.rejected(refused.changeId(), ErrorCode.UNIQUE_CONFLICT, "email taken")),
                new AppliedRange(8, 8 + PAGE - 3, PAGE - 2));

        assertThat(title("row-1")).isEqualTo("theirs");
        assertThat(db.count("SELECT count(*) FROM todo WHERE id = 'row-2'")).as("moved to the dead letters").isZero();
        assertThat(db.count("SELECT count(*) FROM __pocketsync_dead_letter WHERE code = 'UNIQUE_CONFLICT'")).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM __pocketsync_changes WHERE state = 'pending'")).isZero();
        assertThat(capture.pendingCount()).isEqualTo(ROWS - PAGE);
    }

    @Test
    void aServerThatAnswersEveryRowIsReadAsWell() {
        BulkPage first = capture.bulkPage(null, PAGE, BIG);
        List<ChangeResult> results = new ArrayList<>();
        for (int i = 0; i < PAGE; i++) {
            results.add(ChangeResult.applied(first.changes().get(i).changeId(), 100 + i));
        }

        capture.acknowledgeBulk(first, results, null);

        assertThat(capture.pendingCount()).isEqualTo(ROWS - PAGE);
        assertThat(db.count("SELECT count(*) FROM __pocketsync_row_seq")).isZero();
        assertThat(db.query("SELECT from_seq, to_seq FROM __pocketsync_bulk_seq").get(0))
                .containsEntry("from_seq", 100).containsEntry("to_seq", 100 + PAGE - 1);
    }

    @Test
    void appWritesDuringTheBulkAreOrdinaryChangesLaterThanIt() {
        BulkPage first = capture.bulkPage(null, PAGE, BIG);
        db.exec("UPDATE todo SET title = 'edited' WHERE id = 'row-2'");
        db.exec("INSERT INTO todo (id, title) VALUES ('new', 'after install')");

        List<LocalChange> pending = capture.pending(0, 100);

        assertThat(pending).extracting(c -> c.change().op()).containsExactly(Op.UPDATE, Op.INSERT);
        assertThat(pending.get(0).change().hlc().value()).isGreaterThan(first.changes().get(0).hlc().value());
        assertThat(capture.bulkPage(null, PAGE, BIG).changes().get(1).row()).containsEntry("title", "edited");
        assertThat(capture.pendingCount()).isEqualTo(ROWS + 2);
    }

    @Test
    void aRestartGoesOnFromWhatIsAcknowledgedAndTheLastPageEndsTheBulk() {
        BulkPage first = capture.bulkPage(null, PAGE, BIG);
        BulkPage second = capture.bulkPage(first, PAGE, BIG);
        capture.acknowledgeBulk(first, List.of(), new AppliedRange(1, PAGE, PAGE));
        capture.close(); // killed with the second page in flight

        capture = new SqliteTriggerCapture(db.dataSource, Clock.systemUTC(), CaptureOptions.DEFAULTS);
        capture.install(List.of("todo"));
        Set<String> sent = new HashSet<>();
        long sequence = PAGE;
        BulkPage page = capture.bulkPage(null, PAGE, BIG);
        assertThat(page.changes()).extracting(Change::changeId)
                .isEqualTo(second.changes().stream().map(Change::changeId).toList());
        while (page != null) {
            page.changes().forEach(c -> sent.add(c.globalId()));
            capture.acknowledgeBulk(page, List.of(), new AppliedRange(sequence + 1, sequence + page.changes().size(),
                    page.changes().size()));
            sequence += page.changes().size();
            page = capture.bulkPage(null, PAGE, BIG);
        }

        assertThat(sent).hasSize(ROWS - PAGE);
        assertThat(capture.pendingCount()).isZero();
        assertThat(db.count("SELECT count(*) FROM __pocketsync_bulk")).isZero();
        assertThat(capture.ownChangesFrom(0)).isEqualTo(1);
    }

    @Test
    void aRestartInTheMiddleOfGivingIdsResumesUpToTheSameRowid() throws Exception {
        db.exec("CREATE TABLE note (id TEXT PRIMARY KEY, body TEXT)");
        db.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60000)"
                + " INSERT INTO note (id, body) SELECT 'n-' || i, 'body ' || i FROM n");
        try (java.sql.Connection c = db.dataSource.getConnection()) {
            Sql.execute(c, "CREATE TEMP TABLE IF NOT EXISTS __pocketsync_others (tbl TEXT PRIMARY KEY) WITHOUT ROWID");
            TableInstaller.install(c, TableSchema.read(c, "note"));
            TableSchema schema;
            schema = TableSchema.read(c, "note");
            StatementCache statements = new StatementCache(c);
            BulkInstall.Plan plan = BulkInstall.begin(c, statements, schema, "dev-1", Clock.systemUTC());
            BulkInstall.round(c, statements, plan, Map.of("note", schema), "dev-1", Clock.systemUTC(), new NaturalIds());
            statements.close();
        } // killed after the first round: no index, a third of the rows with ids
        assertThat(db.count("SELECT count(*) FROM note WHERE ps_global_id IS NOT NULL")).isEqualTo(BulkInstall.ROUND);

        capture.install(List.of("todo", "note"));

        assertThat(db.count("SELECT count(*) FROM note WHERE ps_global_id IS NULL")).isZero();
        assertThat(db.query("SELECT id, ps_global_id FROM note WHERE rowid IN (1, 59999)")).allSatisfy(row ->
                assertThat(row.get("ps_global_id")).isEqualTo(NaturalIds.of("note", List.of(row.get("id")))));
        assertThat(db.count("SELECT count(*) FROM sqlite_master WHERE name = '__pocketsync_gid_note'")).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM __pocketsync_journal")).isZero();
        assertThat(capture.pendingCount()).isEqualTo(ROWS + 60_000);
    }

    @Test
    void aFullResyncKeepsTheRowsOfPagesNotAcknowledged() {
        BulkPage first = capture.bulkPage(null, PAGE, BIG);
        capture.acknowledgeBulk(first, List.of(), new AppliedRange(1, PAGE, PAGE));

        capture.apply(List.of(), List.of(), 0, 5_000, ChangesMode.SNAPSHOT, true); // the server has none of them (any more)

        assertThat(db.count("SELECT count(*) FROM todo")).as("the acknowledged rows go, the others are still to be pushed")
                .isEqualTo(ROWS - PAGE);
        assertThat(capture.bulkPage(null, PAGE, BIG).changes().get(0).row()).containsEntry("id", "row-" + (PAGE + 1));
    }

    @Test
    void pagesOfAChildTableNameTheirParentsByIdAndLeaveTheRowidKeyOut() {
        db.exec("CREATE TABLE project (id INTEGER PRIMARY KEY, name TEXT UNIQUE)");
        db.exec("CREATE TABLE task (id INTEGER PRIMARY KEY, project_id INTEGER REFERENCES project(id), title TEXT)");
        db.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12000)"
                + " INSERT INTO project (id, name) SELECT i, 'p' || i FROM n");
        db.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12000)"
                + " INSERT INTO task (id, project_id, title) SELECT i, 12001 - i, 't' || i FROM n");

        capture.install(List.of("todo", "task", "project"));
        BulkPage page = capture.bulkPage(null, ROWS, BIG);
        while (!page.table().equals("task")) {
            page = capture.bulkPage(page, ROWS, BIG);
        }

        String parentId = (String) db.query("SELECT ps_global_id FROM project WHERE id = 12000").get(0).get("ps_global_id");
        assertThat(parentId).isEqualTo(NaturalIds.of("project", List.of("p12000")));
        assertThat(page.changes().get(0).row()).doesNotContainKey("id").containsEntry("project_id", parentId)
                .containsEntry("title", "t1");
        assertThat(db.count("SELECT count(*) FROM __pocketsync_bulk WHERE tbl = 'project' AND ord < (SELECT ord FROM"
                + " __pocketsync_bulk WHERE tbl = 'task')")).as("parents first").isEqualTo(1);
    }

    private String title(String id) {
        return (String) db.query("SELECT title FROM todo WHERE id = ?", id).get(0).get("title");
    }

    /** Another device's UPDATE of row {@code key} (a whole image, as the server sends). */
    private static Change remote(String id, String gid, String key, String title, long hlc) {
        return new Change(id, "todo", gid, Op.UPDATE, row(key, title, "e" + key.substring(4)), List.of("title"), new Hlc(hlc),
                "other");
    }

    private static Map<String, Object> row(String id, String title, String email) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("title", title);
        row.put("done", 0L);
        row.put("email", email);
        return row;
    }

    @Test
    void aChecksumRepairLeavesRowsOfPagesNotAcknowledgedAlone() {
        // the server lacks them until their page is acknowledged: a comparison meanwhile must not take them for drift
        assertThat(capture.bulkTables()).as("a checksum comparison leaves it out").containsExactly("todo");
        String gid = NaturalIds.of("todo", List.of("row-5"));
        assertThat(capture.repair("todo", List.of(), List.of(), List.of(gid), 0, true)).isZero();
        assertThat(db.count("SELECT count(*) FROM todo WHERE id = 'row-5'")).isEqualTo(1);

        capture.acknowledgeBulk(capture.bulkPage(null, PAGE, BIG), List.of(), new AppliedRange(1, PAGE, PAGE));
        assertThat(capture.repair("todo", List.of(), List.of(), List.of(gid), PAGE, false))
                .as("acknowledged, and unknown to the server at a later sequence: drift").isEqualTo(1);
    }

    @Test
    void checksumsLeaveOutATableUntilItsBulkPushIsAcknowledged() {
        // not compared meanwhile (the server lacks its rows), so not summed either: seconds for a million rows
        assertThat(capture.checksums().tables()).isEmpty();

        BulkPage page = capture.bulkPage(null, ROWS, BIG);
        capture.acknowledgeBulk(page, List.of(), new AppliedRange(1, ROWS, ROWS));

        assertThat(capture.bulkTables()).isEmpty();
        assertThat(capture.checksums().tables()).singleElement().satisfies(table -> {
            assertThat(table.table()).isEqualTo("todo");
            assertThat(table.count()).isEqualTo(ROWS);
        });
    }
}
