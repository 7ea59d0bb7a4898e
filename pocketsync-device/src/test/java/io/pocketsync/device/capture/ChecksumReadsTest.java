package io.pocketsync.device.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.checksum.ScopeChecksums;
import io.pocketsync.api.checksum.TableChecksum;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.ProgressHandler;
import org.sqlite.SQLiteDataSource;

/**
 * Computing the checksums of a big table (seconds for a million rows) does not hold the app's writes up: the rows are
 * hashed in a read transaction, which in WAL mode takes no lock a writer waits for. Before, the whole computation ran
 * inside the engine's write transaction, and an app write with no busy timeout (the {@code sqlite3} shell's default)
 * failed with "database is locked" for as long as it took.
 *
 * <p>The app writes from inside the hashing: a progress handler on the engine's connection, called every 1,000 SQLite
 * VM steps, tries one insert with no busy timeout once the computation is well into the table's rows (counted in VM
 * steps, not time, so the test is the same on any machine).
 */
class ChecksumReadsTest {
    /** Below the bulk path's threshold ({@link BulkInstall#MIN_ROWS}): a table on the bulk path is not summed until pushed. */
    private static final int ROWS = 8_000;
    /** Progress calls before the app writes: 50,000 VM steps, past the schema and journal checks, inside the hashing. */
    private static final int CALLS_BEFORE_WRITE = 50;

    @TempDir
    Path dir;

    @Test
    void theAppWritesWhileTheChecksumsOfABigTableAreComputed() throws Exception {
        assertThat(ROWS).isLessThan(BulkInstall.MIN_ROWS);
        TestDb db = new TestDb(dir, "big.db");
        db.exec("CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT)");
        db.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + ROWS + ") INSERT INTO todo"
                + " (id, title) SELECT 'todo-' || i, 'title ' || i FROM n");
        List<Connection> engineConnections = new ArrayList<>();
        SQLiteDataSource recording = new SQLiteDataSource() {
            @Override
            public Connection getConnection() throws SQLException {
                Connection connection = super.getConnection();
                engineConnections.add(connection);
                return connection;
            }
        };
        recording.setUrl("jdbc:sqlite:" + db.file);
        try (SqliteTriggerCapture capture = new SqliteTriggerCapture(recording, Clock.systemUTC(), CaptureOptions.DEFAULTS)) {
            capture.install(List.of("todo"));
            assertThat(capture.pendingCount()).isEqualTo(ROWS); // sealed: the journal is empty
            ScopeChecksums before = capture.checksums();

            AtomicInteger calls = new AtomicInteger();
            List<String> attempts = new ArrayList<>();
            try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + db.file);
                    Statement appStatement = app.createStatement()) {
                appStatement.execute("PRAGMA busy_timeout = 0");
                for (Connection engine : engineConnections) {
                    ProgressHandler.setHandler(engine, 1_000, new ProgressHandler() {
                        @Override
                        protected int progress() {
                            if (calls.incrementAndGet() >= CALLS_BEFORE_WRITE && !attempts.contains("written")) {
                                try {
                                    appStatement.executeUpdate("UPDATE todo SET title = 'edited meanwhile' WHERE id = 'todo-7'");
                                    attempts.add("written");
                                }
                                catch (SQLException e) {
                                    attempts.add(e.getMessage());
                                }
                            }
                            return 0;
                        }
                    });
                }
                ScopeChecksums during = capture.checksums();
                for (Connection engine : engineConnections) {
                    ProgressHandler.clearHandler(engine);
                }

                assertThat(calls.get()).as("the hashing ran past the point the app wrote at").isGreaterThan(CALLS_BEFORE_WRITE);
                assertThat(attempts).as("the app's write, tried inside the hashing").startsWith("written");
                assertThat(during.sequence()).isEqualTo(before.sequence());
                assertThat(table(during).count()).isEqualTo(ROWS);
            }
            // the edit made meanwhile is an ordinary pending change, and the next checksums see it
            assertThat(capture.pendingCount()).isEqualTo(ROWS + 1);
            assertThat(table(capture.checksums()).count()).isEqualTo(ROWS);
        }
    }

    private static TableChecksum table(ScopeChecksums sums) {
        return sums.table("todo");
    }
}
