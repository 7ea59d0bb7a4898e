package io.pocketsync.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
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
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The checksum contract against the real Redis; two stores in one test are two server nodes sharing it. Every test
 * has its own key prefix and deletes only its keys.
 */
class RedisChecksumsIT extends AbstractChecksumContractTest {
    private final String prefix = RedisTestSupport.uniquePrefix();

    @Override
    protected ServerStore newStore(String nodeId, Clock clock) {
        return new RedisServerStoreProvider().create(
                PluginConfig.of(RedisStoreConfig.NAMESPACE, Map.of("uri", RedisTestSupport.uri(), "prefix", prefix)),
                new StoreTestContext(nodeId, clock));
    }

    @Override
    protected void cleanUp() {
        RedisTestSupport.deleteKeys(RedisTestSupport.uri(), prefix);
    }

    @Test
    void aScopeWrittenBeforeTheCoarseLayoutGetsItOnceFromItsRows() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        for (int i = 0; i < 30; i++) {
            store.apply(scope, List.of(TestChanges.insert("c" + i, "r" + i, Hlc.of(1_900_000_000_000L + i, 0).value(),
                    Map.of("title", "row " + i))), table -> TestResolvers.lastWriteWins());
        }
        ScopeChecksums kept = store.checksums(scope, ChecksumLevel.COARSE);
        RedisClient client = RedisClient.create(RedisTestSupport.uri());
        RedisKeys keys = new RedisKeys(prefix, scope);
        List<String> earlier = keys.earlierChecksums();
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            connection.sync().del(keys.checksumTables(), keys.checksumSums());
            // the previous layout's 256 fine buckets, exact at the head as far as it knows, and the first version's
            // counters (sums of another row hash)
            connection.sync().hset(earlier.get(0), Map.of("t:todo", "0", "#n", "1", "#ready", "30"));
            connection.sync().set(earlier.get(1), "x".repeat(4096));
            connection.sync().hset(earlier.get(2), Map.of("4:todo|1|c", "3", "#ready", "1"));

            assertThat(store.checksums(scope, ChecksumLevel.COARSE)).isEqualTo(kept)
                    .isEqualTo(ChecksumScan.checksums(store, scope).coarse());
            assertThat(connection.sync().exists(earlier.toArray(String[]::new))).as("earlier layouts deleted").isZero();
            assertThat(connection.sync().hget(keys.checksumTables(), "#ready")).isEqualTo("30");
        }
        finally {
            client.shutdown();
        }
        store.apply(scope, List.of(TestChanges.insert("c-after", "r-after", Hlc.of(1_900_000_001_000L, 0).value(),
                Map.of("title", "after"))), table -> TestResolvers.lastWriteWins());
        assertThat(store.checksums(scope, ChecksumLevel.COARSE)).isEqualTo(ChecksumScan.checksums(store, scope).coarse());
    }

    @Test
    void aWriteByANodeThatKeepsNoChecksumsIsNoticedAndTheSumsRebuilt() {
        Scope scope = uniqueScope();
        ServerStore kept = open("node-1");
        ServerStore notKept = new RedisServerStore(RedisStoreConfig.of(RedisTestSupport.uri(), prefix), "node-2",
                Clock.systemUTC(), false);
        try {
            kept.apply(scope, List.of(TestChanges.insert("c1", "r1", Hlc.of(1_900_000_000_000L, 0).value(),
                    Map.of("title", "one"))), table -> TestResolvers.lastWriteWins());
            notKept.apply(scope, List.of(TestChanges.insert("c2", "r2", Hlc.of(1_900_000_000_001L, 0).value(),
                    Map.of("title", "two"))), table -> TestResolvers.lastWriteWins());
            kept.apply(scope, List.of(TestChanges.insert("c3", "r3", Hlc.of(1_900_000_000_002L, 0).value(),
                    Map.of("title", "three"))), table -> TestResolvers.lastWriteWins());

            ScopeChecksums read = kept.checksums(scope, ChecksumLevel.COARSE);

            assertThat(read).isEqualTo(ChecksumScan.checksums(kept, scope).coarse());
            assertThat(read.table(TestChanges.TABLE).count()).isEqualTo(3);
        }
        finally {
            notKept.close();
        }
    }
}
