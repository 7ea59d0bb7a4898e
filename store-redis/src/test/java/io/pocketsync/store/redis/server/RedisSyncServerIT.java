package io.pocketsync.store.redis.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ChangesMode;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.server.engine.auth.StaticTokenAuthenticator;
import io.pocketsync.server.engine.conflict.FieldMergeResolver;
import io.pocketsync.server.engine.conflict.LastWriteWinsResolver;
import io.pocketsync.server.engine.ServerOptions;
import io.pocketsync.server.engine.SyncServer;
import io.pocketsync.server.engine.TableResolvers;
import io.pocketsync.store.redis.RedisServerStoreProvider;
import io.pocketsync.store.redis.RedisStoreConfig;
import io.pocketsync.store.redis.RedisTestSupport;
import io.pocketsync.testkit.server.AbstractSyncServerStoreTest;
import io.pocketsync.testkit.server.RawClient;
import io.pocketsync.testkit.server.ServerSetup;
import io.pocketsync.testkit.store.StoreTestContext;
import io.pocketsync.testkit.transport.InMemoryServerTransport;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The server engine over the real Redis, driven by raw protocol clients; each test has its own key prefix
 * and deletes only its keys.
 */
class RedisSyncServerIT extends AbstractSyncServerStoreTest {
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

    // ---------------------------------------------------------------- two nodes sharing one Redis prefix

    @Test
    void aPushOnNodeOneReachesADeviceOnNodeTwoLive() {
        String scope = uniqueScope();
        Node one = startNode("node-1", "last-write-wins", Map.of(), scope);
        Node two = startNode("node-2", "last-write-wins", Map.of(), scope);
        RawClient a = one.client(scope, "dev-a", 0);
        RawClient b = two.client(scope, "dev-b", 0);

        assertThat(a.push(a.insert("r1", 1, row("title", "from node 1"))).results().get(0).status())
                .isEqualTo(ChangeStatus.APPLIED);

        Changes live = b.await(Changes.class, c -> c.mode() == ChangesMode.LIVE);
        assertThat(live.fromCursor()).isZero();
        assertThat(live.cursor()).isEqualTo(1);
        assertThat(live.changes()).singleElement().satisfies(change -> {
            assertThat(change.row()).isEqualTo(row("title", "from node 1"));
            assertThat(change.deviceId()).isEqualTo("dev-a");
        });
    }

    @Test
    void aDeviceThatWasOfflineCatchesUpOnTheOtherNode() {
        String scope = uniqueScope();
        Node one = startNode("node-1", "last-write-wins", Map.of(), scope);
        Node two = startNode("node-2", "last-write-wins", Map.of(), scope);
        RawClient a = one.client(scope, "dev-a", 0);
        a.push(a.insert("r1", 1, row("n", 1L)), a.insert("r2", 1, row("n", 2L)));
        a.push(a.update("r1", 2, row("n", 10L), "n"), a.delete("r2", 2), a.insert("r3", 2, row("n", 3L)));

        RawClient late = two.client(scope, "dev-late", 0);
        assertThat(late.welcome().headCursor()).isEqualTo(5);
        List<Changes> pages = late.pullAll(0, 2);

        Map<String, Change> sent = byGlobalId(pages);
        assertThat(sent).containsOnlyKeys("r1", "r3");
        assertThat(sent.get("r1").row()).isEqualTo(row("n", 10L));
        assertThat(pages.get(pages.size() - 1).cursor()).isEqualTo(5);
    }

    @Test
    void concurrentPushesOnBothNodesToOneScopeKeepSequencesGapFree() {
        String scope = uniqueScope();
        Node one = startNode("node-1", "last-write-wins", Map.of(), scope);
        Node two = startNode("node-2", "last-write-wins", Map.of(), scope);
        RawClient watcher = one.client(scope, "dev-watch", 0);
        List<RawClient> writers = List.of(one.client(scope, "dev-1a", 0), one.client(scope, "dev-1b", 0),
                two.client(scope, "dev-2a", 0), two.client(scope, "dev-2b", 0));
        int batches = 15;

        Map<RawClient, List<String>> sent = new java.util.LinkedHashMap<>();
        for (int i = 0; i < batches; i++) {
            for (RawClient writer : writers) {
                sent.computeIfAbsent(writer, w -> new ArrayList<>()).add(writer.sendPush(
                        writer.insert(writer.deviceId() + "-" + i, i, row("i", (long) i)),
                        writer.insert("shared-" + (i % 3), i, row("by", writer.deviceId()))));
            }
        }
        List<Long> sequences = new ArrayList<>();
        sent.forEach((writer, ids) -> {
            for (String id : ids) {
                Ack ack = writer.await(Ack.class, a -> a.batchId().equals(id));
                ack.results().stream().filter(r -> r.status() == ChangeStatus.APPLIED).forEach(r -> sequences.add(r.sequence()));
            }
        });

        long head = one.store.info(Scope.of(scope)).head();
        assertThat(head).isEqualTo(two.store.info(Scope.of(scope)).head()).isGreaterThanOrEqualTo(writers.size() * batches);
        assertThat(sequences).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, head).boxed().toList());
        // the watcher on node 1 hears every batch of both nodes, and the live ranges tile 1..head
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> watcher.live().stream().mapToLong(Changes::cursor)
                .max().orElse(0) == head);
        List<Changes> live = watcher.live();
        assertThat(live.stream().mapToLong(c -> c.cursor() - c.fromCursor()).sum()).isEqualTo(head);
        for (int i = 1; i < live.size(); i++) {
            assertThat(live.get(i).fromCursor()).isEqualTo(live.get(i - 1).cursor());
        }
    }

    @Override
    protected AutoCloseable startServer(ServerStore store, InMemoryServerTransport transport, ServerSetup setup) {
        ConflictResolver resolver = "field-merge".equals(setup.defaultResolver()) ? new FieldMergeResolver()
                : new LastWriteWinsResolver();
        SyncServer server = SyncServer.builder().store(store)
                .authenticator(new StaticTokenAuthenticator(setup.tokens().entrySet().stream()
                        .collect(Collectors.toMap(Map.Entry::getKey, entry -> List.of(entry.getValue())))))
                .resolvers(TableResolvers.of(resolver, setup.tableResolvers()))
                .options(ServerOptions.builder().nodeId(setup.nodeId()).workerThreads(2).build())
                .clock(setup.clock()).build();
        server.start();
        transport.start(server::accept);
        return server;
    }
}
