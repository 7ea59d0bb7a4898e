package io.pocketsync.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.pocketsync.api.PluginConfig;
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
    void aScopeWrittenBeforeChecksumsGetsThemOnceFromItsRows() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        for (int i = 0; i < 30; i++) {
            store.apply(scope, List.of(TestChanges.insert("c" + i, "r" + i, Hlc.of(1_900_000_000_000L + i, 0).value(),
                    Map.of("title", "row " + i))), table -> TestResolvers.lastWriteWins());
        }
        ScopeChecksums kept = store.checksums(scope);
        RedisClient client = RedisClient.create(RedisTestSupport.uri());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            connection.sync().del(new RedisKeys(prefix, scope).checksums());
        }
        finally {
            client.shutdown();
        }

        assertThat(store.checksums(scope)).isEqualTo(kept).isEqualTo(ChecksumScan.checksums(store, scope));
        store.apply(scope, List.of(TestChanges.insert("c-after", "r-after", Hlc.of(1_900_000_001_000L, 0).value(),
                Map.of("title", "after"))), table -> TestResolvers.lastWriteWins());
        assertThat(store.checksums(scope)).isEqualTo(ChecksumScan.checksums(store, scope));
    }
}
