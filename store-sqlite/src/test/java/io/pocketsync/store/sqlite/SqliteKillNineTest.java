package io.pocketsync.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.CatchUpPage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a JVM that is applying batches (SIGKILL, no shutdown hooks) and checks the file afterwards:
 * every ACKed batch is there, every batch is all-or-nothing, and sequences are gap-free.
 */
class SqliteKillNineTest {
    @TempDir
    Path directory;

    @Test
    void killNineMidBatchLeavesWholeBatchesOnly() throws Exception {
        Path file = directory.resolve("server.db");
        String scopeName = "crash-scope";
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SqliteCrashChild.class.getName(), file.toString(), scopeName)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        int acked = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("ACK ")) {
                    acked = Integer.parseInt(line.substring(4));
                    if (acked >= 5) {
                        child.destroyForcibly(); // SIGKILL on Unix
                        break;
                    }
                }
            }
        }
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(acked).as("the child acknowledged batches before it was killed").isGreaterThanOrEqualTo(5);

        try (SqliteServerStore store = new SqliteServerStore(SqliteStoreConfig.at(file), "after", Clock.systemUTC())) {
            Scope scope = Scope.of(scopeName);
            List<RowState> rows = new ArrayList<>();
            long cursor = 0;
            CatchUpPage page;
            do {
                page = store.page(scope, cursor, 500, true);
                rows.addAll(page.rows());
                cursor = page.nextCursor();
            } while (page.hasMore());

            Map<Long, Integer> perBatch = new TreeMap<>();
            rows.forEach(row -> perBatch.merge((Long) row.row().get("batch"), 1, Integer::sum));
            assertThat(perBatch.values()).allMatch(count -> count == SqliteCrashChild.BATCH);
            assertThat(perBatch.keySet()).containsAll(LongStream.rangeClosed(0, acked).boxed().toList());
            long head = store.info(scope).head();
            assertThat(head).isEqualTo(rows.size());
            assertThat(rows).extracting(RowState::lastSequence)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, head).boxed().toList());
        }
    }
}
