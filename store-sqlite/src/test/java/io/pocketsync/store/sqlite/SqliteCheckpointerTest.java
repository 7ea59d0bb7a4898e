package io.pocketsync.store.sqlite;

import static io.pocketsync.testkit.store.TestChanges.insert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Scope;
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

/** Committed pages reach the database file through the checkpoint thread, below the writer's own checkpoint. */
class SqliteCheckpointerTest {
    @TempDir
    Path directory;

    @Test
    void committedPagesAreCopiedIntoTheFileWithoutTheWritersCheckpoint() throws Exception {
        Path file = directory.resolve("server.db");
        ConflictResolver lww = TestResolvers.lastWriteWins();
        try (SqliteServerStore store = new SqliteServerStore(SqliteStoreConfig.at(file), "node-1", Clock.systemUTC())) {
            long empty = Files.size(file);
            // about 6 x (5 + 1000 / 12) = 530 estimated pages: past the thread's mark, far below the writer's
            for (int batch = 0; batch < 6; batch++) {
                List<Change> changes = new ArrayList<>();
                for (int i = 0; i < 1000; i++) {
                    changes.add(insert("b" + batch + "-" + i, "row-" + batch + "-" + i, Hlc.of(1_900_000_000_000L, i).value(),
                            Map.of("title", "row " + i)));
                }
                store.apply(Scope.of("checkpoints"), changes, table -> lww);
            }

            await().atMost(Duration.ofSeconds(10)).until(() -> Files.size(file) > empty + 100 * 4096);
            assertThat(Files.size(Path.of(file + "-wal"))).isLessThan(SqliteCheckpointer.WRITER_PAGES * 4096L);
        }
    }
}
