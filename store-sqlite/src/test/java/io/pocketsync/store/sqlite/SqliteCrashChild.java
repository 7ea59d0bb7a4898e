package io.pocketsync.store.sqlite;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Scope;
import io.pocketsync.testkit.store.TestChanges;
import io.pocketsync.testkit.store.TestResolvers;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Run in a child JVM by {@link SqliteKillNineTest}: applies batches forever and prints each ACK. */
public final class SqliteCrashChild {
    static final int BATCH = 50;

    private SqliteCrashChild() {}

    public static void main(String[] args) {
        SqliteServerStore store = new SqliteServerStore(SqliteStoreConfig.at(Path.of(args[0])), "child", Clock.systemUTC());
        Scope scope = Scope.of(args[1]);
        String padding = "x".repeat(2000);
        for (int batch = 0; ; batch++) {
            List<Change> changes = new ArrayList<>();
            for (int i = 0; i < BATCH; i++) {
                changes.add(TestChanges.insert("b" + batch + "-" + i, "b" + batch + "-" + i, 1L << 20,
                        Map.of("batch", (long) batch, "padding", padding)));
            }
            store.apply(scope, changes, table -> TestResolvers.lastWriteWins());
            System.out.println("ACK " + batch);
            System.out.flush();
        }
    }
}
