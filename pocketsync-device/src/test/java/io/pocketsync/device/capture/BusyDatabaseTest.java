package io.pocketsync.device.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Another connection holds the device database's write lock longer than the capture's busy timeout: the capture's
 * write fails with {@link DatabaseBusyException} and leaves its connection as it was, so once the lock is released the
 * next write is a whole transaction again (before, sqlite-jdbc's flag said "in a transaction" after the failed BEGIN,
 * and the next seal ran statement by statement and failed with "cannot commit - no transaction is active"). And the
 * journal mode is the file's business: {@code keep} leaves a rollback journal alone, the default switches it to WAL.
 */
class BusyDatabaseTest {
    @TempDir
    Path dir;

    @Test
    void aWriteThatFindsTheDatabaseLockedFailsAsBusyAndTheNextOneIsWholeAgain() throws Exception {
        TestDb db = new TestDb(dir, "busy.db");
        db.exec("CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT)");
        try (SqliteTriggerCapture capture = new SqliteTriggerCapture(db.dataSource, Clock.systemUTC(),
                new CaptureOptions(Duration.ofMillis(200), 10_000, 100_000))) {
            capture.install(List.of("todo"));
            db.exec("INSERT INTO todo (id, title) VALUES ('a', 'before the lock')");
            try (Connection holder = db.dataSource.getConnection(); Statement statement = holder.createStatement()) {
                statement.execute("BEGIN IMMEDIATE");
                statement.execute("INSERT INTO todo (id, title) VALUES ('b', 'inside the lock')");

                assertThatThrownBy(capture::pendingCount).isInstanceOfSatisfying(DatabaseBusyException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT);
                    assertThat(e.getMessage()).contains("locked by another connection");
                });
                assertThatThrownBy(capture::pendingCount).isInstanceOf(DatabaseBusyException.class);

                statement.execute("COMMIT");
            }
            assertThat(capture.pendingCount()).isEqualTo(2);
            db.exec("INSERT INTO todo (id, title) VALUES ('c', 'after the lock')");
            assertThat(capture.pendingCount()).isEqualTo(3);
        }
    }

    @Test
    void keepLeavesARollbackJournalAloneAndTheDefaultSwitchesItToWal() {
        TestDb kept = new TestDb(dir, "kept.db");
        TestDb switched = new TestDb(dir, "switched.db");
        for (TestDb db : List.of(kept, switched)) {
            db.exec("PRAGMA journal_mode = DELETE", "CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT)");
        }
        try (SqliteTriggerCapture keep = new SqliteTriggerCapture(kept.dataSource, Clock.systemUTC(),
                new CaptureOptions(Duration.ofSeconds(10), 10_000, 100_000, JournalMode.KEEP));
                SqliteTriggerCapture wal = new SqliteTriggerCapture(switched.dataSource, Clock.systemUTC(), CaptureOptions.DEFAULTS)) {
            keep.install(List.of("todo"));
            wal.install(List.of("todo"));
            kept.exec("INSERT INTO todo (id, title) VALUES ('a', 'one')");
            assertThat(keep.pendingCount()).isEqualTo(1);
        }
        assertThat(kept.query("PRAGMA journal_mode")).extracting(row -> row.get("journal_mode")).containsExactly("delete");
        assertThat(switched.query("PRAGMA journal_mode")).extracting(row -> row.get("journal_mode")).containsExactly("wal");
    }
}
