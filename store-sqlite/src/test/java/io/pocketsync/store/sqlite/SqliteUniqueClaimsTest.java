package io.pocketsync.store.sqlite;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.testkit.store.AbstractUniqueClaimsContractTest;
import io.pocketsync.testkit.store.StoreTestContext;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/** The unique-claim contract on a real SQLite file; two stores of one test are two store instances on that file. */
class SqliteUniqueClaimsTest extends AbstractUniqueClaimsContractTest {
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
