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
import io.pocketsync.testkit.store.SmallFilesystem;
import io.pocketsync.testkit.store.TestChanges;
import io.pocketsync.testkit.store.TestResolvers;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store file on a real 2 MB tmpfs that fills up: batches fail with STORE_UNAVAILABLE naming SQLITE_FULL (every
 * time, not "statement is not executing" from the second on), health is down, and once the filler file is deleted
 * health comes back by its own probe and batches are stored again, with no restart and every acknowledged row there.
 */
class SqliteDiskFullIT {
    private static final String PADDING = "x".repeat(2000);

    @TempDir
    Path temp;

    @Test
    void aFullDiskFailsBatchesCleanlyAndTheStoreWritesAgainOnceSpaceIsFreed() throws Exception {
        Scope scope = Scope.of("disk-full");
        try (SmallFilesystem fs = SmallFilesystem.mount(temp.resolve("fs"), "2m")) {
            List<String> acknowledged = new ArrayList<>();
            try (SqliteServerStore store = new SqliteServerStore(SqliteStoreConfig.at(fs.dir().resolve("server.db")), "node",
                    Clock.systemUTC())) {
                acknowledged.addAll(apply(store, scope, batch(0)));
                assertThat(store.health().up()).isTrue();

                fs.fill();
                List<Change> refused = null;
                for (int i = 1; i < 200 && refused == null; i++) {
                    List<Change> changes = batch(i);
                    try {
                        acknowledged.addAll(apply(store, scope, changes));
                    }
                    catch (PocketSyncException e) {
                        assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE);
                        assertThat(e.getMessage()).contains("SQLITE_FULL").contains("nothing of the batch was stored");
                        refused = changes;
                    }
                }
                assertThat(refused).as("the full filesystem refused a batch").isNotNull();
                Health down = store.health();
                assertThat(down.up()).isFalse();
                assertThat(down.detail()).contains("SQLITE_FULL").contains("server.db");

                // still full: the same clear error again, not a writer left broken by the first one
                List<Change> again = refused;
                assertThatThrownBy(() -> apply(store, scope, again)).isInstanceOf(PocketSyncException.class)
                        .hasMessageContaining("SQLITE_FULL");
                assertThat(store.info(scope).head()).isEqualTo(acknowledged.size());
                // its probe (once a second) does not call a store up that a batch would find full
                await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5)).until(() -> !store.health().up());
                assertThat(store.health().detail()).contains("SQLITE_FULL");

                fs.free();
                // no batch meanwhile: the store's own probe finds it can write again
                await().atMost(Duration.ofSeconds(10)).until(() -> store.health().up());

                // the refused batch was not stored: sent again, every change is applied, not a duplicate
                BatchOutcome outcome = store.apply(scope, refused, table -> TestResolvers.lastWriteWins());
                assertThat(outcome.outcomes()).extracting(ChangeOutcome::status).containsOnly(ChangeStatus.APPLIED);
                refused.forEach(change -> acknowledged.add(change.globalId()));
                acknowledged.addAll(apply(store, scope, batch(1000)));
            }
            // reopened, as after a restart: every acknowledged row is there, sequences gap-free
            try (SqliteServerStore reopened = new SqliteServerStore(SqliteStoreConfig.at(fs.dir().resolve("server.db")),
                    "node", Clock.systemUTC())) {
                List<RowState> rows = all(reopened, scope);
                assertThat(rows).extracting(RowState::globalId).containsExactlyInAnyOrderElementsOf(acknowledged);
                assertThat(reopened.info(scope).head()).isEqualTo(acknowledged.size());
            }
        }
    }

    private static List<String> apply(SqliteServerStore store, Scope scope, List<Change> changes) {
        BatchOutcome outcome = store.apply(scope, changes, table -> TestResolvers.lastWriteWins());
        assertThat(outcome.outcomes()).extracting(ChangeOutcome::status).containsOnly(ChangeStatus.APPLIED);
        return changes.stream().map(Change::globalId).toList();
    }

    private static List<Change> batch(int number) {
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String id = "b" + number + "-" + i;
            changes.add(TestChanges.insert(id, id, (1L << 20) + number, Map.of("batch", (long) number, "padding", PADDING)));
        }
        return changes;
    }

    private static List<RowState> all(SqliteServerStore store, Scope scope) {
        List<RowState> rows = new ArrayList<>();
        long cursor = 0;
        CatchUpPage page;
        do {
            page = store.page(scope, cursor, 500, true);
            rows.addAll(page.rows());
            cursor = page.nextCursor();
        } while (page.hasMore());
        return rows;
    }
}
