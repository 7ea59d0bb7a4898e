package io.pocketsync.device.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.capture.TableCatchUp;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a device subscribes to at HELLO (docs/protocol.md 3.8): its tracked tables, recorded in
 * {@code __pocketsync_subscribed}; a table tracked since the last HELLO, on a device that synced, starts a table catch-up
 * of its own ({@code __pocketsync_joining}) and leaves the main cursor alone.
 */
class SubscribedTablesTest {
    @TempDir
    Path dir;
    TestDb db;
    SqliteTriggerCapture capture;

    @BeforeEach
    void setUp() {
        db = new TestDb(dir, "device.db");
        db.exec("CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT)", "CREATE TABLE note (id TEXT PRIMARY KEY, body TEXT)");
        capture = open(List.of("todo"));
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

    private void syncedTo(long cursor) {
        db.exec("UPDATE __pocketsync_device_state SET cursor = " + cursor);
    }

    @Test
    void theFirstHelloRecordsTheTrackedTablesWithoutAResync() {
        syncedTo(40); // e.g. a file that synced before subscriptions existed, and so received every table
        assertThat(capture.subscribe()).containsExactly("todo");
        assertThat(capture.state().cursor()).isEqualTo(40);
        assertThat(capture.state().resyncing()).isFalse();
        assertThat(db.query("SELECT tbl FROM __pocketsync_subscribed")).extracting(r -> r.get("tbl")).containsExactly("todo");

        assertThat(capture.subscribe()).containsExactly("todo");
        assertThat(capture.state().cursor()).as("the same tables again change nothing").isEqualTo(40);
    }

    @Test
    void aTableTrackedLaterStartsATableCatchUpAndLeavesTheMainCursorAlone() {
        capture.subscribe();
        syncedTo(40);
        reopen(List.of("todo", "note"));
        assertThat(capture.subscribe()).as("HELLO names both").containsExactly("note", "todo");
        assertThat(capture.state().cursor()).isEqualTo(40);
        assertThat(capture.state().resyncing()).isFalse();
        assertThat(capture.repairing()).isFalse();
        assertThat(capture.tableCatchUp()).isEqualTo(new TableCatchUp(List.of("note"), 0));
        assertThat(db.query("SELECT tbl FROM __pocketsync_subscribed ORDER BY tbl")).extracting(r -> r.get("tbl"))
                .containsExactly("todo");

        reopen(List.of("todo", "note"));
        capture.subscribe();
        assertThat(capture.tableCatchUp()).as("a restart resumes it").isEqualTo(new TableCatchUp(List.of("note"), 0));
    }

    @Test
    void aDeviceAtCursorZeroOrInAFullResyncSubscribesAtOnce() {
        capture.subscribe();
        syncedTo(40);
        db.exec("UPDATE __pocketsync_device_state SET resync = 1");
        reopen(List.of("todo", "note"));
        capture.subscribe();
        assertThat(capture.tableCatchUp()).as("the snapshot brings it").isNull();
        assertThat(db.query("SELECT tbl FROM __pocketsync_subscribed ORDER BY tbl")).extracting(r -> r.get("tbl"))
                .containsExactly("note", "todo");
    }

    @Test
    void aNeverSyncedDeviceTrackingMoreNeedsNoResync() {
        capture.subscribe();
        reopen(List.of("todo", "note"));
        assertThat(capture.subscribe()).containsExactly("note", "todo");
        assertThat(capture.state().resyncing()).isFalse();
    }

    @Test
    void aTableDroppedAndTrackedAgainIsBroughtBackByAFullResync() {
        reopen(List.of("todo", "note"));
        capture.subscribe();
        syncedTo(40);
        reopen(List.of("todo")); // the app no longer tracks note: its rows stay, the server may delete some meanwhile
        assertThat(capture.subscribe()).containsExactly("todo");
        assertThat(capture.state().resyncing()).isFalse();
        assertThat(db.query("SELECT tbl FROM __pocketsync_subscribed")).extracting(r -> r.get("tbl")).containsExactly("todo");

        reopen(List.of("todo", "note"));
        assertThat(capture.subscribe()).containsExactly("note", "todo");
        assertThat(capture.tableCatchUp()).as("a table catch-up would leave the rows the server deleted").isNull();
        assertThat(capture.state().resyncing()).as("the snapshot's last page removes them").isTrue();
        assertThat(capture.state().cursor()).isZero();
        assertThat(db.query("SELECT tbl FROM __pocketsync_subscribed ORDER BY tbl")).extracting(r -> r.get("tbl"))
                .containsExactly("note", "todo");
        assertThat(db.query("SELECT tbl FROM __pocketsync_untracked")).isEmpty();
    }

    @Test
    void aTableDroppedWhileJoiningIsBroughtBackByAFullResyncToo() {
        capture.subscribe();
        syncedTo(40);
        reopen(List.of("todo", "note"));
        capture.subscribe();
        assertThat(capture.tableCatchUp()).isEqualTo(new TableCatchUp(List.of("note"), 0));

        reopen(List.of("todo")); // dropped while catching up: the catch-up ends with it
        capture.subscribe();
        assertThat(capture.tableCatchUp()).isNull();
        assertThat(capture.state().resyncing()).isFalse();

        reopen(List.of("todo", "note")); // its pages may have brought rows the server deletes meanwhile
        capture.subscribe();
        assertThat(capture.tableCatchUp()).isNull();
        assertThat(capture.state().resyncing()).isTrue();
    }
}
