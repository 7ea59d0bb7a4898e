package io.pocketsync.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.Health;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.store.BatchOutcome;
import io.pocketsync.api.store.ChangeOutcome;
import io.pocketsync.testkit.PrivateRedis;
import io.pocketsync.testkit.store.RecordingFeedListener;
import io.pocketsync.testkit.store.TestChanges;
import io.pocketsync.testkit.store.TestResolvers;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills and restarts a private redis-server (never the shared one) under a live store: a batch whose
 * Redis dies mid-way fails with STORE_UNAVAILABLE and leaves nothing, calls while it is down fail fast,
 * and after the restart the store reconnects, the feed reports a gap, and writes work again. With no write at all,
 * health is down from the moment Redis is gone and up again once it is back.
 */
class RedisRestartIT {
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
    void batchInFlightWhenRedisDiesStoresNothingAndTheStoreRecoversAfterRestart() throws Exception {
        redis = PrivateRedis.durable(directory).start();
        Scope scope = Scope.of("restart-scope");
        try (RedisServerStore store = new RedisServerStore(
                new RedisStoreConfig(redis.uri(), "pocketsync", Duration.ofSeconds(2), Duration.ofSeconds(1), 50),
                "node-1", Clock.systemUTC())) {
            RecordingFeedListener feed = new RecordingFeedListener();
            store.subscribe(feed);
            store.apply(scope, batch("first", 3), table -> TestResolvers.lastWriteWins());

            AtomicBoolean killed = new AtomicBoolean();
            assertThatThrownBy(() -> store.apply(scope, batch("second", 3), table -> TestResolvers.withHook(change -> {
                if (killed.compareAndSet(false, true)) {
                    redis.kill();
                }
            }))).isInstanceOfSatisfying(PocketSyncException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE));
            assertThatThrownBy(() -> store.info(scope)).isInstanceOfSatisfying(PocketSyncException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE));

            redis.start();
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> store.info(scope).head() == 3);
            assertThat(store.row(scope, TestChanges.TABLE, "second-0")).isEmpty();
            await().untilAsserted(() -> assertThat(feed.gaps()).isPositive());

            BatchOutcome retry = store.apply(scope, batch("second", 3), table -> TestResolvers.lastWriteWins());
            assertThat(retry.outcomes()).extracting(ChangeOutcome::status).containsOnly(ChangeStatus.APPLIED);
            assertThat(retry.toSequence()).isEqualTo(6);
            await().untilAsserted(() -> assertThat(feed.batches(scope)).last()
                    .satisfies(batch -> assertThat(batch.toSequence()).isEqualTo(6)));
        }
    }

    @Test
    void healthIsDownWhileRedisIsGoneEvenWithNoWriteAndUpOnceItIsBack() throws Exception {
        redis = PrivateRedis.durable(directory).start();
        try (RedisServerStore store = new RedisServerStore(
                new RedisStoreConfig(redis.uri(), "pocketsync", Duration.ofSeconds(2), Duration.ofSeconds(1), 50),
                "node-1", Clock.systemUTC())) {
            assertThat(store.health()).isEqualTo(Health.ok());

            redis.kill();
            // no batch: devices may be idle, and readiness must not say up while every batch would fail
            await().atMost(Duration.ofSeconds(10)).until(() -> !store.health().up());
            assertThat(store.health().detail()).startsWith("Redis unreachable; writes resume once it is back");
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> !store.health().up());

            redis.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> store.health().up());
        }
    }

    private static List<Change> batch(String name, int size) {
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            changes.add(TestChanges.insert(name + "-" + i, name + "-" + i, 1L << 20, Map.of("n", (long) i)));
        }
        return changes;
    }
}
