package io.pocketsync.device.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalCheckpointerTest {
    @TempDir
    Path dir;

    /** The engine's connection as the capture configures it: WAL, synchronous=NORMAL. */
    private static Connection engine(TestDb db) throws SQLException {
        Connection c = db.dataSource.getConnection();
        assertThat(Sql.configure(c, Duration.ofSeconds(5), JournalMode.WAL)).isTrue();
        return c;
    }

    /** Commits {@code rows} rows of about 200 bytes in one transaction, as a page of remote changes would. */
    private static void commitRows(Connection c, int from, int rows) {
        Sql.inTransaction(c, () -> {
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO t (id, v) VALUES (?, ?)")) {
                for (int i = from; i < from + rows; i++) {
                    insert.setInt(1, i);
                    insert.setString(2, "value " + i + " " + "x".repeat(200));
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            return null;
        });
    }

    @Test
    void copiesTheEnginesCommitsIntoTheFileOnItsOwnThreadAndStopsOnClose() throws Exception {
        TestDb db = new TestDb(dir, "ckpt.db");
        db.exec("PRAGMA journal_mode = WAL", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
        long emptyFile = Files.size(db.file);
        try (Connection c = engine(db)) {
            WalCheckpointer checkpointer = WalCheckpointer.start(c, db.dataSource);
            assertThat(checkpointer).isNotNull();
            // the engine's own checkpoint is only the backstop now: far above what these commits write
            assertThat(Sql.queryLong(c, "PRAGMA wal_autocheckpoint")).isEqualTo(WalCheckpointer.ENGINE_PAGES);
            for (int round = 0; round < 4; round++) {
                commitRows(c, round * 1000, 1000);
                checkpointer.committed();
            }
            // about 250 KB a commit: without a checkpoint the rows would stay in the WAL, the file as it was
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.size(db.file) > emptyFile + 500_000);
            assertThat(checkpointer.running()).isTrue();
            checkpointer.close();
            assertThat(checkpointer.running()).isFalse();
            // durability unchanged: the engine's connection keeps its own setting (NORMAL in WAL = 1)
            assertThat(Sql.queryLong(c, "PRAGMA synchronous")).isEqualTo(1);
        }
        assertThat(((Number) db.query("SELECT count(*) AS n FROM t").get(0).get("n")).longValue()).isEqualTo(4000L);
    }

    @Test
    void aFewSmallCommitsDoNotCheckpoint() throws Exception {
        TestDb db = new TestDb(dir, "small.db");
        db.exec("PRAGMA journal_mode = WAL", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
        long emptyFile = Files.size(db.file);
        try (Connection c = engine(db)) {
            WalCheckpointer checkpointer = WalCheckpointer.start(c, db.dataSource);
            assertThat(checkpointer).isNotNull();
            for (int i = 0; i < 10; i++) {
                commitRows(c, i, 1);
                checkpointer.committed();
            }
            checkpointer.close();
            // 10 commits of one row estimate far fewer pages than a checkpoint waits for: the rows are still in the WAL
            assertThat(Files.size(db.file)).isEqualTo(emptyFile);
            assertThat(Files.size(Path.of(db.file + "-wal"))).isGreaterThan(0);
        }
    }
}
