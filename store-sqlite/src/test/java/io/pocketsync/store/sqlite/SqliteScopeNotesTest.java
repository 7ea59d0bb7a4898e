package io.pocketsync.store.sqlite;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.testkit.store.AbstractScopeNotesContractTest;
import io.pocketsync.testkit.store.StoreTestContext;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/** The scope-notes contract on a real SQLite file; a second store over the same file stands for a restart. */
class SqliteScopeNotesTest extends AbstractScopeNotesContractTest {
    @TempDir
    Path directory;

    @Override
    protected ServerStore newStore(String nodeId, Clock clock) {
        return new SqliteServerStoreProvider().create(
                PluginConfig.of(SqliteStoreConfig.NAMESPACE, Map.of("path", directory.resolve("server.db").toString(),
                        "read-connections", "2")),
                new StoreTestContext(nodeId, clock));
    }
}
