package io.pocketsync.device.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.PocketSyncException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

class ShortBusyWaitTest {
    @TempDir
    Path dir;

    private TestDb table(String name) {
        TestDb db = new TestDb(dir, name);
        db.exec("PRAGMA journal_mode = WAL", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
        return db;
    }

    /** Starts a transaction on {@code holder} that holds the write lock until it commits. */
    private static void takeWriteLock(Connection holder) throws SQLException {
        holder.setAutoCommit(false);
        try (Statement s = holder.createStatement()) {
            s.execute("INSERT INTO t (v) VALUES ('holder')");
        }
    }

    @Test
    void aWriterWaitsForTheLockAndGetsItOnceTheOtherCommits() throws Exception {
        TestDb db = table("wait.db");
        try (Connection holder = db.dataSource.getConnection(); Connection waiter = db.dataSource.getConnection()) {
            ShortBusyWait wait = ShortBusyWait.install(waiter, Duration.ofSeconds(30));
            takeWriteLock(holder);
            CompletableFuture<Void> write = CompletableFuture.runAsync(() -> {
                try (Statement s = waiter.createStatement()) {
                    s.execute("INSERT INTO t (v) VALUES ('waiter')");
                }
                catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(20)).until(() -> wait.waits() > 0);
            assertThat(write).isNotDone();
            holder.commit();
            write.get(20, TimeUnit.SECONDS);
        }
        assertThat(db.query("SELECT v FROM t ORDER BY id")).extracting(row -> row.get("v")).containsExactly("holder", "waiter");
    }

    @Test
    void aWriterGivesUpWithSqliteBusyAfterTheTimeout() throws Exception {
        TestDb db = table("timeout.db");
        try (Connection holder = db.dataSource.getConnection(); Connection waiter = db.dataSource.getConnection()) {
            ShortBusyWait wait = ShortBusyWait.install(waiter, Duration.ofMillis(30));
            takeWriteLock(holder);
            try (Statement s = waiter.createStatement()) {
                assertThatThrownBy(() -> s.execute("INSERT INTO t (v) VALUES ('waiter')"))
                        .isInstanceOfSatisfying(SQLiteException.class,
                                e -> assertThat(e.getResultCode()).isEqualTo(SQLiteErrorCode.SQLITE_BUSY));
            }
            assertThat(wait.waits()).isPositive();
            holder.commit();
            // the same connection waits afresh next time: the timeout is per wait, not per connection
            try (Statement s = waiter.createStatement()) {
                s.execute("INSERT INTO t (v) VALUES ('waiter')");
            }
        }
        assertThat(db.query("SELECT v FROM t ORDER BY id")).extracting(row -> row.get("v")).containsExactly("holder", "waiter");
    }

    @Test
    void aNegativeTimeoutIsRefused() throws Exception {
        TestDb db = new TestDb(dir, "negative.db");
        try (Connection connection = db.dataSource.getConnection()) {
            assertThatThrownBy(() -> ShortBusyWait.install(connection, Duration.ofMillis(-1)))
                    .isInstanceOf(PocketSyncException.class)
                    .hasMessageContaining("negative");
        }
    }
}
