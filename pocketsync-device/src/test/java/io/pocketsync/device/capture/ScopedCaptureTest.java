package io.pocketsync.device.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.capture.ChangeCapture;
import io.pocketsync.api.capture.LocalChange;
import io.pocketsync.api.checksum.TableChecksum;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
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
 * A device of several scopes (docs/protocol.md 3.9): each scope's view of the capture keeps its own cursor, resync flag
 * and subscribed tables, and pushes, counts, resyncs and checksums only its own tables; a file of one scope upgrades in
 * place, and a table stays in the scope it synced in.
 */
class ScopedCaptureTest {
    @TempDir
    Path dir;
    TestDb db;
    SqliteTriggerCapture capture;
    int ids;

    @BeforeEach
    void setUp() {
        db = new TestDb(dir, "device.db");
        db.exec("CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT)", "CREATE TABLE note (id TEXT PRIMARY KEY, body TEXT)");
        capture = open();
    }

    @AfterEach
    void tearDown() {
        capture.close();
    }

    private SqliteTriggerCapture open() {
        return open(List.of("todo", "note"));
    }

    private SqliteTriggerCapture open(List<String> tables) {
        SqliteTriggerCapture opened = new SqliteTriggerCapture(db.dataSource, Clock.systemUTC(), CaptureOptions.DEFAULTS);
        opened.install(tables);
        return opened;
    }

    private void reopen() {
        capture.close();
        capture = open();
    }

    private Change remote(String table, String gid, String id) {
        return new Change("remote-" + (++ids), table, gid, Op.INSERT, Map.of("id", id), List.of(), new Hlc(1L << 20),
                "other-device");
    }

    @Test
    void eachScopeKeepsItsOwnCursorAcrossARestart() {
        ChangeCapture alice = capture.scope("alice", List.of("todo"));
        ChangeCapture team = capture.scope("team", List.of("note"));
        assertThat(alice.subscribe()).containsExactly("todo");
        assertThat(team.subscribe()).containsExactly("note");
        alice.apply(List.of(remote("todo", "t1", "1")), List.of(40L), 0, 40, ChangesMode.CATCH_UP, true);
        team.apply(List.of(remote("note", "n1", "1")), List.of(7L), 0, 7, ChangesMode.CATCH_UP, true);
        assertThat(alice.state().cursor()).isEqualTo(40);
        assertThat(team.state().cursor()).isEqualTo(7);

        reopen();
        alice = capture.scope("alice", List.of("todo"));
        team = capture.scope("team", List.of("note"));
        assertThat(team.state().cursor()).isEqualTo(7);
        assertThat(alice.state().cursor()).isEqualTo(40);
        assertThat(alice.state().scope()).isEqualTo("alice");
        assertThat(db.count("SELECT count(*) FROM __pocketsync_row_seq")).as("row sequences of both scopes kept").isEqualTo(2);
    }

    @Test
    void aFileOfOneScopeBecomesThatScopesState() {
        capture.close();
        capture = open(List.of("todo")); // a device of one scope that tracked todo only
        capture.bindScope("alice");
        capture.subscribe();
        capture.apply(List.of(remote("todo", "t1", "1")), List.of(40L), 0, 40, ChangesMode.CATCH_UP, true);
        reopen();

        ChangeCapture alice = capture.scope("alice", List.of("todo"));
        ChangeCapture team = capture.scope("team", List.of("note"));
        assertThat(alice.state().cursor()).as("the old single state row is alice's").isEqualTo(40);
        assertThat(alice.subscribe()).containsExactly("todo");
        assertThat(alice.state().resyncing()).isFalse();
        assertThat(team.state().cursor()).isZero();
        assertThat(team.subscribe()).containsExactly("note");

        reopen();
        capture.bindScope("alice");
        assertThat(capture.state().cursor()).as("back to one scope: alice's state resumes").isEqualTo(40);
    }

    @Test
    void aTableStaysInTheScopeItSyncedIn() {
        capture.scope("alice", List.of("todo"));
        reopen();
        assertThatThrownBy(() -> capture.scope("team", List.of("todo")))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining("table todo syncs in scope alice");
    }

    @Test
    void aTableOfAFileOfOneScopeStaysInIt() {
        capture.bindScope("alice");
        capture.subscribe(); // todo and note synced in alice
        reopen();
        assertThatThrownBy(() -> capture.scope("team", List.of("note")))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID));
    }

    @Test
    void pendingChangesCountsResyncsAndChecksumsArePerScope() {
        ChangeCapture alice = capture.scope("alice", List.of("todo"));
        ChangeCapture team = capture.scope("team", List.of("note"));
        db.exec("INSERT INTO todo (id, title) VALUES ('1', 'a')", "INSERT INTO todo (id, title) VALUES ('2', 'b')",
                "INSERT INTO note (id, body) VALUES ('1', 'n')");
        assertThat(alice.pending(0, 100)).extracting(LocalChange::change).extracting(Change::table).containsExactly("todo", "todo");
        assertThat(team.pending(0, 100)).extracting(LocalChange::change).extracting(Change::table).containsExactly("note");
        assertThat(alice.pendingCount()).isEqualTo(2);
        assertThat(team.pendingCount()).isEqualTo(1);
        assertThat(alice.checksums().tables()).extracting(TableChecksum::table).containsExactly("todo");
        assertThat(team.checksums().tables()).extracting(TableChecksum::table).containsExactly("note");

        alice.apply(List.of(remote("todo", "t9", "9")), List.of(40L), 0, 40, ChangesMode.CATCH_UP, true);
        team.apply(List.of(remote("note", "n9", "9")), List.of(7L), 0, 7, ChangesMode.CATCH_UP, true);
        team.resync();
        assertThat(team.state().resyncing()).isTrue();
        assertThat(alice.state().resyncing()).isFalse();
        assertThat(alice.state().cursor()).isEqualTo(40);
        // the team's snapshot names none of its rows: its synced note goes, alice's todo stays
        team.apply(List.of(), List.of(), 0, 8, ChangesMode.SNAPSHOT, true);
        assertThat(db.count("SELECT count(*) FROM note WHERE id = '9'")).isZero();
        assertThat(db.count("SELECT count(*) FROM todo WHERE id = '9'")).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM __pocketsync_row_seq WHERE tbl = 'todo'")).isEqualTo(1);
    }
}
