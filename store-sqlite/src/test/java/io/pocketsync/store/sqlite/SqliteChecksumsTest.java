package io.pocketsync.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.checksum.ChecksumLevel;
import io.pocketsync.api.checksum.ChecksumScan;
import io.pocketsync.api.checksum.ScopeChecksums;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.testkit.store.AbstractChecksumContractTest;
import io.pocketsync.testkit.store.StoreTestContext;
import io.pocketsync.testkit.store.TestChanges;
import io.pocketsync.testkit.store.TestResolvers;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checksum contract on a real SQLite file; a second store over the file stands for a restart. */
class SqliteChecksumsTest extends AbstractChecksumContractTest {
    @TempDir
    Path directory;

    @Override
    protected ServerStore newStore(String nodeId, Clock clock) {
        return new SqliteServerStoreProvider().create(
                PluginConfig.of(SqliteStoreConfig.NAMESPACE, Map.of("path", directory.resolve("server.db").toString(),
                        "read-connections", "2")),
                new StoreTestContext(nodeId, clock));
    }

    @Test
    void aFileWrittenBeforeChecksumsGetsThemOnceWhenOpened() throws Exception {
        Scope scope = uniqueScope();
        ServerStore store = newStore("node-1", clock);
        for (int i = 0; i < 30; i++) {
            store.apply(scope, List.of(TestChanges.insert("c" + i, "r" + i, Hlc.of(1_900_000_000_000L + i, 0).value(),
                    Map.of("title", "row " + i))), table -> TestResolvers.lastWriteWins());
        }
        ScopeChecksums kept = store.checksums(scope, ChecksumLevel.FINE);
        store.close();
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + directory.resolve("server.db"))) {
            connection.createStatement().execute("DROP TABLE ps_checksums_v3");
            // the first version's table, which summed SHA-256-based hashes
            connection.createStatement().execute("CREATE TABLE ps_checksums (scope TEXT, tbl TEXT, buckets BLOB)");
        }

        ServerStore reopened = open("node-1");

        assertThat(reopened.checksums(scope, ChecksumLevel.FINE)).isEqualTo(kept).isEqualTo(ChecksumScan.checksums(reopened, scope));
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + directory.resolve("server.db"));
                java.sql.ResultSet tables = connection.createStatement()
                        .executeQuery("SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'ps_checksums%'")) {
            assertThat(tables.next()).isTrue();
            assertThat(tables.getString(1)).isEqualTo("ps_checksums_v3");
            assertThat(tables.next()).as("the first version's table is dropped").isFalse();
        }
        assertThat(kept.table(TestChanges.TABLE).count()).isEqualTo(30);
    }
}
