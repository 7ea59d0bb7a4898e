package io.pocketsync.testkit.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.capture.ApplyReport;
import io.pocketsync.api.capture.ChangeCapture;
import io.pocketsync.api.capture.LocalChange;
import io.pocketsync.api.capture.ParkedChange;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangesMode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every {@link ChangeCapture} keeps, as the device engine relies on it: what a local write leaves
 * pending, how remote changes are applied (at the cursor, in server-sequence order, without being captured
 * again, never over a later pending local change, bad input parked), what an ACK decides, and the device state.
 *
 * <p>An implementation's test extends this class and implements {@link #createCapture}; the database is an SQLite
 * file opened through the {@code jdbc:sqlite:} driver on the test classpath (override {@link #database} for
 * another way to open it). The tests write the database through their own connections, as an app does.
 */
public abstract class AbstractChangeCaptureContractTest {
    private static final String TABLE = "item";

    /** A fresh directory per test; the database file lives in it. */
    @TempDir
    protected Path dir;
    /** The device database of the running test. */
    protected DataSource database;
    private final List<ChangeCapture> opened = new ArrayList<>();
    private final long base = System.currentTimeMillis() - 60_000;
    private int ids;

    /**
     * A new capture of {@code database}, not installed; each call stands for one run of the app.
     *
     * @param database the app's database
     * @return the capture
     */
    protected abstract ChangeCapture createCapture(DataSource database);

    /**
     * The SQLite database in {@code file}; by default through {@link java.sql.DriverManager}.
     *
     * @param file the database file
     * @return a data source that opens a new connection each time
     */
    protected DataSource database(Path file) {
        return new DriverManagerDataSource("jdbc:sqlite:" + file);
    }

    @BeforeEach
    void createDatabase() {
        database = database(dir.resolve("device.db"));
        exec("CREATE TABLE " + TABLE + " (id TEXT PRIMARY KEY, title TEXT, qty INTEGER)");
    }

    @AfterEach
    void closeCaptures() {
        opened.forEach(ChangeCapture::close);
    }

    @Test
    void installIsIdempotentAndTheDeviceIdLastsAcrossRuns() {
        ChangeCapture first = installed();
        String deviceId = first.state().deviceId();
        first.install(List.of(TABLE));
        first.close();

        assertThat(deviceId).isNotBlank();
        assertThat(installed().state().deviceId()).isEqualTo(deviceId);
    }

    @Test
    void aMissingTableIsRefused() {
        ChangeCapture capture = open();
        assertThatThrownBy(() -> capture.install(List.of("no_such_table")))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SCHEMA_INVALID));
    }

    @Test
    void rowsPresentAtTheFirstInstallArePendingOnce() {
        exec("INSERT INTO item (id, title) VALUES ('a', 'old'), ('b', 'older')");
        installed().close();

        ChangeCapture again = installed();
        assertThat(again.pendingCount()).isEqualTo(2);
        assertThat(again.pending(0, 10)).extracting(local -> local.change().op()).containsExactly(Op.INSERT, Op.INSERT);
    }

    @Test
    void committedWritesArePendingInLocalOrderWithTheirImages() {
        ChangeCapture capture = installed();
        // read after each commit, as the engine does: a capture may fold writes it has not handed out yet
        exec("INSERT INTO item (id, title, qty) VALUES ('a', 'milk', 1)");
        capture.pending(0, 10);
        exec("UPDATE item SET qty = 2 WHERE id = 'a'");
        capture.pending(0, 10);
        exec("DELETE FROM item WHERE id = 'a'");

        List<LocalChange> pending = capture.pending(0, 10);
        assertThat(pending).extracting(local -> local.change().op()).containsExactly(Op.INSERT, Op.UPDATE, Op.DELETE);
        assertThat(pending).extracting(LocalChange::localSequence).isSorted().doesNotHaveDuplicates();
        assertThat(pending).extracting(local -> local.change().hlc()).isSorted().doesNotHaveDuplicates();
        assertThat(pending).extracting(local -> local.change().changeId()).doesNotHaveDuplicates();
        assertThat(pending).extracting(local -> local.change().globalId()).containsOnly(pending.get(0).change().globalId());
        assertThat(pending).extracting(local -> local.change().deviceId()).containsOnly(capture.state().deviceId());
        assertThat(pending.get(0).change().row()).containsEntry("id", "a").containsEntry("title", "milk").containsEntry("qty", 1L);
        assertThat(pending.get(1).change().row()).containsEntry("qty", 2L);
        assertThat(pending.get(1).change().changedColumns()).containsExactly("qty");
        assertThat(pending.get(2).change().row()).isEmpty();
        assertThat(capture.pending(pending.get(1).localSequence(), 10)).containsExactly(pending.get(2));
        assertThat(capture.pending(0, 1)).containsExactly(pending.get(0));
    }

    @Test
    void rolledBackWritesAndUpdatesThatChangeNothingLeaveNothingPending() throws SQLException {
        ChangeCapture capture = installed();
        exec("INSERT INTO item (id, title) VALUES ('a', 'milk')");
        try (Connection connection = database.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO item (id) VALUES ('gone')")) {
                insert.executeUpdate();
            }
            connection.rollback();
        }
        exec("UPDATE item SET title = 'milk', qty = NULL");

        assertThat(capture.pendingCount()).isEqualTo(1);
    }

    @Test
    void anotherConnectionsCommitMovesTheCounterAndTheTableVersion() {
        ChangeCapture capture = installed();
        long counter = capture.changeCounter();
        long version = capture.tableVersions().get(TABLE);

        exec("INSERT INTO item (id) VALUES ('a')");

        assertThat(capture.changeCounter()).isNotEqualTo(counter);
        assertThat(capture.tableVersions().get(TABLE)).isGreaterThan(version);
    }

    @Test
    void aColumnAddedWhileInstalledIsCaptured() {
        ChangeCapture capture = installed();
        exec("ALTER TABLE item ADD COLUMN tag TEXT");
        exec("INSERT INTO item (id, tag) VALUES ('a', 'red')");

        capture.refreshSchema();
        // a capture may also record the added column's value as an update of its own: the last change has it
        List<LocalChange> pending = capture.pending(0, 10);
        assertThat(pending).isNotEmpty();
        assertThat(pending.get(pending.size() - 1).change().row()).containsEntry("id", "a").containsEntry("tag", "red");
    }

    @Test
    void remoteChangesAreAppliedWithoutBeingCapturedAndMoveTheCursor() {
        ChangeCapture capture = installed();
        long version = capture.tableVersions().get(TABLE);
        assertThat(capture.state().lastSync()).as("never synced").isNull();

        ApplyReport report = capture.apply(List.of(remote("g1", Op.INSERT, "a", "milk", 1), remote("g2", Op.INSERT, "b", "eggs", 2),
                remote("g2", Op.UPDATE, "b", "eggs!", 3)), List.of(1L, 2L, 3L), 0, 3, ChangesMode.LIVE, true);

        assertThat(report.accepted()).isTrue();
        assertThat(report.applied()).isEqualTo(3);
        assertThat(report.tables()).containsExactly(TABLE);
        assertThat(titles()).containsExactly("milk", "eggs!");
        assertThat(capture.pendingCount()).isZero();
        assertThat(capture.tableVersions().get(TABLE)).isEqualTo(version);
        assertThat(capture.state().cursor()).isEqualTo(3);
        assertThat(capture.state().lastSync()).isNotNull();
    }

    @Test
    void aPageThatDoesNotStartAtTheCursorChangesNothing() {
        ChangeCapture capture = installed();
        capture.apply(List.of(remote("g1", Op.INSERT, "a", "milk", 1)), List.of(1L), 0, 1, ChangesMode.LIVE, true);

        assertThat(capture.apply(List.of(remote("g2", Op.INSERT, "b", "gap", 2)), List.of(3L), 2, 3, ChangesMode.LIVE, true))
                .isEqualTo(ApplyReport.NOT_ACCEPTED);
        assertThat(capture.apply(List.of(), List.of(), 0, 1, ChangesMode.LIVE, true).accepted()).as("a duplicate").isFalse();
        assertThat(titles()).containsExactly("milk");
        assertThat(capture.state().cursor()).isEqualTo(1);
    }

    @Test
    void aStateTheRowAlreadyHoldsOrAnOlderOneIsSkipped() {
        ChangeCapture capture = installed();
        Change insert = remote("g1", Op.INSERT, "a", "first", 1);
        capture.apply(List.of(insert, remote("g1", Op.UPDATE, "a", "second", 2)), List.of(1L, 5L), 0, 5, ChangesMode.LIVE, true);

        ApplyReport again = capture.apply(List.of(insert), List.of(1L), 5, 6, ChangesMode.CATCH_UP, true);

        assertThat(again.skipped()).isEqualTo(1);
        assertThat(titles()).containsExactly("second");
        assertThat(capture.state().cursor()).isEqualTo(6);
    }

    @Test
    void aLaterPendingLocalChangeIsNotOverwrittenAndAnOrderedLaterRemoteOneWaitsForItsAck() {
        ChangeCapture capture = installed();
        capture.apply(List.of(remote("g1", Op.INSERT, "a", "remote", 1)), List.of(1L), 0, 1, ChangesMode.LIVE, true);
        exec("UPDATE item SET title = 'local' WHERE id = 'a'");
        LocalChange local = capture.pending(0, 10).get(0);

        ApplyReport older = capture.apply(List.of(remote("g1", Op.UPDATE, "a", "remote-older", 2)), List.of(3L), 1, 3,
                ChangesMode.LIVE, true);
        assertThat(older.skipped()).isEqualTo(1);
        assertThat(titles()).containsExactly("local");

        // the server ordered the remote change after the local one (sequence 3 after 2): it is the row once acked
        ApplyReport ack = capture.acknowledge(List.of(ChangeResult.applied(local.change().changeId(), 2)));
        assertThat(ack.applied()).isEqualTo(1);
        assertThat(titles()).containsExactly("remote-older");
    }

    @Test
    void changesWithoutTheirSequencesAreRefused() {
        ChangeCapture capture = installed();
        assertThatThrownBy(() -> capture.apply(List.of(remote("g1", Op.INSERT, "a", "x", 1)), List.of(), 0, 1,
                ChangesMode.LIVE, true))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_FIELD));
        assertThat(titles()).isEmpty();
        assertThat(capture.state().cursor()).isZero();
    }

    @Test
    void remoteChangesThatCannotBeAppliedAreParkedAndTheRestApplied() {
        ChangeCapture capture = installed();
        assertThat(capture.parkedCount()).isZero();
        Change unknownTable = new Change(nextId(), "no_such_table", "g2", Op.INSERT, Map.of("id", "x"), List.of(),
                Hlc.of(base, 0), "other-device");
        Change withoutImage = remote("g3", Op.INSERT, "c", "x", 3).withRow(Op.INSERT, Map.of());

        ApplyReport report = capture.apply(List.of(unknownTable, withoutImage, remote("g4", Op.INSERT, "d", "fine", 4)),
                List.of(2L, 3L, 4L), 0, 4, ChangesMode.CATCH_UP, true);

        assertThat(report.parked()).extracting(ParkedChange::code).containsExactly(ErrorCode.UNKNOWN_TABLE, ErrorCode.INVALID_CHANGE);
        assertThat(capture.parkedCount()).isEqualTo(2);
        assertThat(report.applied()).isEqualTo(1);
        assertThat(titles()).containsExactly("fine");
        assertThat(capture.state().cursor()).isEqualTo(4);
    }

    @Test
    void anAckDecidesThePendingChangesItNamesAndIgnoresTheOthers() {
        ChangeCapture capture = installed();
        exec("INSERT INTO item (id, title) VALUES ('a', 'a'), ('b', 'b'), ('c', 'c')");
        List<LocalChange> pending = capture.pending(0, 10);
        Change winner = new Change(nextId(), TABLE, pending.get(1).change().globalId(), Op.UPDATE, row("b", "server"), List.of(),
                new Hlc(pending.get(1).change().hlc().value() + 1), "other-device");
        List<ChangeResult> results = List.of(ChangeResult.applied(pending.get(0).change().changeId(), 1),
                ChangeResult.superseded(pending.get(1).change().changeId(), winner, 2),
                ChangeResult.rejected(pending.get(2).change().changeId(), ErrorCode.ROW_TOO_LARGE, "too large"));

        ApplyReport report = capture.acknowledge(results);

        assertThat(report.applied()).isEqualTo(1);
        assertThat(capture.pendingCount()).isZero();
        assertThat(titles()).containsExactly("a", "server", "c");
        assertThat(capture.acknowledge(results).applied()).as("an ACK delivered twice").isZero();
        assertThat(titles()).containsExactly("a", "server", "c");
    }

    @Test
    void aNewScopeStartsFromCursorZero() {
        ChangeCapture capture = installed();
        capture.apply(List.of(remote("g1", Op.INSERT, "a", "x", 1)), List.of(2L), 0, 2, ChangesMode.LIVE, true);

        capture.bindScope("scope-a");
        assertThat(capture.state().cursor()).isEqualTo(2);
        capture.bindScope("scope-b");
        assertThat(capture.state().cursor()).isZero();
        assertThat(capture.state().scope()).isEqualTo("scope-b");
    }

    @Test
    void aMergedClockOrdersTheNextLocalWriteAfterIt() {
        ChangeCapture capture = installed();
        Hlc ahead = Hlc.of(System.currentTimeMillis() + 3_600_000, 7);

        capture.mergeClock(ahead);
        exec("INSERT INTO item (id) VALUES ('a')");

        Hlc stamped = capture.pending(0, 10).get(0).change().hlc();
        assertThat(stamped).isGreaterThan(ahead);
        assertThat(capture.state().hlc()).isGreaterThanOrEqualTo(stamped);
    }

    @Test
    void aFullResyncKeepsPendingRowsAndDropsRowsTheServerNoLongerHas() {
        ChangeCapture capture = installed();
        capture.apply(List.of(remote("gone", Op.INSERT, "gone", "gone", 1), remote("kept", Op.INSERT, "kept", "old", 2)),
                List.of(1L, 2L), 0, 2, ChangesMode.LIVE, true);
        exec("INSERT INTO item (id, title) VALUES ('local', 'pending')");

        capture.apply(List.of(remote("kept", Op.UPDATE, "kept", "new", 3)), List.of(3L), 0, 50, ChangesMode.SNAPSHOT, false);
        assertThat(capture.state().resyncing()).isTrue();
        capture.apply(List.of(remote("fresh", Op.INSERT, "fresh", "fresh", 4)), List.of(55L), 50, 60, ChangesMode.SNAPSHOT, true);

        assertThat(capture.state().resyncing()).isFalse();
        assertThat(capture.state().cursor()).isEqualTo(60);
        assertThat(titles()).containsExactly("fresh", "new", "pending");
        assertThat(capture.pendingCount()).isEqualTo(1);
    }

    @Test
    void closeIsIdempotent() {
        ChangeCapture capture = installed();
        String deviceId = capture.state().deviceId();
        capture.close();
        capture.close();
        assertThat(installed().state().deviceId()).as("the next run").isEqualTo(deviceId);
    }

    /**
     * A new capture, closed after the test.
     *
     * @return the capture
     */
    protected final ChangeCapture open() {
        ChangeCapture capture = createCapture(database);
        opened.add(capture);
        return capture;
    }

    /**
     * A new capture, installed on the test table and bound to {@code scope-a}.
     *
     * @return the capture
     */
    protected final ChangeCapture installed() {
        ChangeCapture capture = open();
        capture.install(List.of(TABLE));
        capture.bindScope("scope-a");
        return capture;
    }

    /**
     * Runs one statement on a new connection, as an app would.
     *
     * @param sql the statement
     */
    protected final void exec(String sql) {
        try (Connection connection = database.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.execute();
        }
        catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** The titles of the test table, by id. */
    private List<String> titles() {
        List<String> titles = new ArrayList<>();
        try (Connection connection = database.getConnection();
                PreparedStatement statement = connection.prepareStatement("SELECT title FROM item ORDER BY id");
                ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
                titles.add(rs.getString(1));
            }
        }
        catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return titles;
    }

    /** A change another device made {@code millisAfterBase} after a minute ago. */
    private Change remote(String globalId, Op op, String id, String title, long millisAfterBase) {
        return new Change(nextId(), TABLE, globalId, op, op == Op.DELETE ? Map.of() : row(id, title), List.of(),
                Hlc.of(base + millisAfterBase, 0), "other-device");
    }

    private static Map<String, Object> row(String id, String title) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("title", title);
        return row;
    }

    private String nextId() {
        return "remote-" + (++ids);
    }
}
