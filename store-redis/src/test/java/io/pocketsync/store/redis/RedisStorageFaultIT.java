package io.pocketsync.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.Health;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.store.BatchOutcome;
import io.pocketsync.api.store.ChangeOutcome;
import io.pocketsync.testkit.PrivateRedis;
import io.pocketsync.testkit.store.TestChanges;
import io.pocketsync.testkit.store.TestResolvers;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A private redis-server (never the shared one) that refuses writes, first out of memory ({@code maxmemory} below
 * what it uses), then as a read-only replica ({@code REPLICAOF} a master that is not there): each batch fails with
 * STORE_UNAVAILABLE naming the cause and stores nothing, health is down with the cause, and once Redis takes writes
 * again health comes back by the store's own probe and the refused batch is stored, all of it.
 */
class RedisStorageFaultIT {
    @TempDir
    Path directory;

    private PrivateRedis redis;

    @AfterEach
    void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void outOfMemoryAndReadOnlyRepliesFailBatchesCleanlyAndTheStoreRecoversByItself() throws Exception {
        redis = PrivateRedis.inMemory(directory, "--maxmemory-policy", "noeviction").start();
        String uri = redis.uri();
        Scope scope = Scope.of("faults");
        RedisClient admin = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> connection = admin.connect();
                RedisServerStore store = new RedisServerStore(new RedisStoreConfig(uri, "pocketsync", Duration.ofSeconds(2),
                        Duration.ofSeconds(2), 50), "node-1", Clock.systemUTC())) {
            RedisCommands<String, String> redisAdmin = connection.sync();
            applied(store, scope, batch("first"));
            assertThat(store.health()).isEqualTo(Health.ok());

            redisAdmin.configSet("maxmemory", "1");
            refused(store, scope, batch("second"), "OOM");
            redisAdmin.configSet("maxmemory", "0");
            await().atMost(Duration.ofSeconds(10)).until(() -> store.health().up());
            applied(store, scope, batch("second"));

            redisAdmin.replicaof("127.0.0.1", freePort()); // a master nobody listens on: a read-only replica for good
            refused(store, scope, batch("third"), "READONLY");
            redisAdmin.replicaofNoOne();
            await().atMost(Duration.ofSeconds(10)).until(() -> store.health().up());
            applied(store, scope, batch("third"));

            assertThat(store.info(scope).head()).isEqualTo(9);
            for (String name : List.of("first", "second", "third")) {
                assertThat(store.row(scope, TestChanges.TABLE, name + "-2")).isPresent();
            }
        }
        finally {
            admin.shutdown();
        }
    }

    private static void applied(RedisServerStore store, Scope scope, List<Change> changes) {
        BatchOutcome outcome = store.apply(scope, changes, table -> TestResolvers.lastWriteWins());
        assertThat(outcome.outcomes()).extracting(ChangeOutcome::status).containsOnly(ChangeStatus.APPLIED);
    }

    /** The batch fails with STORE_UNAVAILABLE naming {@code reply}, stores nothing, and health is down saying so. */
    private static void refused(RedisServerStore store, Scope scope, List<Change> changes, String reply) {
        long head = store.info(scope).head();
        assertThatThrownBy(() -> store.apply(scope, changes, table -> TestResolvers.lastWriteWins()))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE);
                    assertThat(e.getMessage()).contains(reply);
                });
        Health health = store.health();
        assertThat(health.up()).isFalse();
        assertThat(health.detail()).startsWith("Redis " + reply);
        assertThat(store.info(scope).head()).isEqualTo(head);
        assertThat(store.row(scope, TestChanges.TABLE, changes.get(0).globalId())).isEmpty();
    }

    private static List<Change> batch(String name) {
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            changes.add(TestChanges.insert(name + "-" + i, name + "-" + i, 1L << 20, Map.of("n", (long) i)));
        }
        return changes;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
