package io.pocketsync.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.Health;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.store.BatchOutcome;
import io.pocketsync.api.store.CatchUpPage;
import io.pocketsync.api.store.ChangeOutcome;
import io.pocketsync.testkit.store.TestChanges;
import io.pocketsync.testkit.store.TestResolvers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SQLite store while its file cannot be written, and after, with no restart (#21): first SQLITE_READONLY (SQLite's
 * {@code query_only} on the writer connection, since root ignores file modes and a filesystem with open files will not
 * remount read-only), then SQLITE_IOERR (a file size limit on this process, so the kernel fails SQLite's writes with
 * EFBIG). Each time the batch fails with STORE_UNAVAILABLE naming the cause and stores nothing, health is down with the
 * cause and stays down while its probe cannot write either, comes back by its own probe once the cause is gone, the
 * refused batch is then stored whole, and every acknowledged batch is in the file when it is opened again.
 */
class SqliteWriteFaultIT {
    private static final String PADDING = "x".repeat(2000);

    @TempDir
    Path temp;

    @Test
    void aReadOnlyFileFailsBatchesCleanlyAndTheStoreWritesAgainOnceItIsWritable() throws Exception {
        Path file = temp.resolve("server.db");
        Scope scope = Scope.of("read-only");
        List<String> acknowledged = new ArrayList<>();
        try (SqliteServerStore store = open(file)) {
            acknowledged.addAll(applied(store, scope, batch("before")));

            store.executeOnWriter("PRAGMA query_only = 1");
            List<Change> refused = batch("during");
            refusedWhileDown(store, file, scope, refused, "SQLITE_READONLY",
                    "SQLITE_READONLY (the store file is read-only)");

            store.executeOnWriter("PRAGMA query_only = 0");
            recovers(store, scope, refused, acknowledged);
        }
        assertReopenedHolds(file, scope, acknowledged);
    }

    @Test
    void anIoErrorFailsBatchesCleanlyAndTheStoreWritesAgainOnceItIsGone() throws Exception {
        Path file = temp.resolve("server.db");
        Scope scope = Scope.of("io-error");
        List<String> acknowledged = new ArrayList<>();
        try (SqliteServerStore store = open(file)) {
            acknowledged.addAll(applied(store, scope, batch("before")));

            List<Change> refused = batch("during");
            // The WAL only grows until its first checkpoint (1000 pages), so every write from here on goes past the
            // limit: the batch's frames and the probe's as well.
            FileSizeLimit limit = FileSizeLimit.of(Files.size(Path.of(file + "-wal")));
            try {
                refusedWhileDown(store, file, scope, refused, "SQLITE_IOERR",
                        "SQLITE_IOERR (an I/O error on the store file)");
            }
            finally {
                limit.close();
            }
            recovers(store, scope, refused, acknowledged);
        }
        assertReopenedHolds(file, scope, acknowledged);
    }

    /**
     * The batch fails, twice (not "statement is not executing" the second time), stores nothing, and health is down
     * naming {@code code} and the file; the probe, once a second, keeps it down while the cause is there.
     */
    private static void refusedWhileDown(SqliteServerStore store, Path file, Scope scope, List<Change> changes,
            String code, String reason) {
        long head = store.info(scope).head();
        for (int attempt = 0; attempt < 2; attempt++) {
            assertThatThrownBy(() -> store.apply(scope, changes, table -> TestResolvers.lastWriteWins()))
                    .isInstanceOfSatisfying(PocketSyncException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE);
                        assertThat(e.getMessage()).isEqualTo("SQLite store cannot write: " + reason
                                + "; nothing of the batch was stored");
                    });
        }
        assertThat(store.info(scope).head()).isEqualTo(head);
        assertThat(store.row(scope, TestChanges.TABLE, changes.get(0).globalId())).isEmpty();
        Health down = store.health();
        assertThat(down.up()).isFalse();
        assertThat(down.detail()).startsWith(code + ": ").contains(file.toAbsolutePath().toString());
        await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5)).until(() -> !store.health().up());
        assertThat(store.health().detail()).startsWith(code + ": ");
    }

    /** With no batch meanwhile, the probe finds the store writable; then the refused batch is stored, all of it. */
    private static void recovers(SqliteServerStore store, Scope scope, List<Change> refused,
            List<String> acknowledged) {
        await().atMost(Duration.ofSeconds(10)).until(() -> store.health().up());
        acknowledged.addAll(applied(store, scope, refused));
        acknowledged.addAll(applied(store, scope, batch("after")));
        assertThat(store.health()).isEqualTo(Health.ok());
    }

    /** Opened again, as after a restart: every acknowledged row is there and the head counts exactly them. */
    private static void assertReopenedHolds(Path file, Scope scope, List<String> acknowledged) {
        try (SqliteServerStore reopened = open(file)) {
            List<RowState> rows = new ArrayList<>();
            long cursor = 0;
            CatchUpPage page;
            do {
                page = reopened.page(scope, cursor, 500, true);
                rows.addAll(page.rows());
                cursor = page.nextCursor();
            } while (page.hasMore());
            assertThat(rows).extracting(RowState::globalId).containsExactlyInAnyOrderElementsOf(acknowledged);
            assertThat(reopened.info(scope).head()).isEqualTo(acknowledged.size());
        }
    }

    private static SqliteServerStore open(Path file) {
        return new SqliteServerStore(SqliteStoreConfig.at(file), "node", Clock.systemUTC());
    }

    private static List<String> applied(SqliteServerStore store, Scope scope, List<Change> changes) {
        BatchOutcome outcome = store.apply(scope, changes, table -> TestResolvers.lastWriteWins());
        assertThat(outcome.outcomes()).extracting(ChangeOutcome::status).containsOnly(ChangeStatus.APPLIED);
        return changes.stream().map(Change::globalId).toList();
    }

    private static List<Change> batch(String name) {
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String id = name + "-" + i;
            changes.add(TestChanges.insert(id, id, 1L << 20, Map.of("n", (long) i, "padding", PADDING)));
        }
        return changes;
    }
}
