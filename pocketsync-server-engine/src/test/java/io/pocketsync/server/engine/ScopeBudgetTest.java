package io.pocketsync.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.testkit.store.InMemoryServerStore;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * server.max-queued-bytes-per-scope: once the devices of a scope hold that much unread, the ones holding more than
 * their share get no live broadcast; once they have read their queue they are told to catch up, and live broadcast
 * resumes. Devices that read are not affected.
 */
class ScopeBudgetTest {
    private static final long SCOPE_BUDGET = 1000;

    private final InMemoryServerStore store = new InMemoryServerStore();
    private final ServerHarness harness = new ServerHarness(store, "scope-budget", TableResolvers.lastWriteWins(),
            ServerOptions.builder().nodeId("test-node").maxQueuedBytesPerScope(SCOPE_BUDGET).build());

    @AfterEach
    void close() {
        harness.close();
        store.close();
    }

    @Test
    void devicesHoldingMoreThanTheirShareOfAFullScopeAreLeftOutUntilTheyHaveRead() {
        ServerHarness.Device stalled1 = harness.connect("dev-stalled-1", 0);
        ServerHarness.Device stalled2 = harness.connect("dev-stalled-2", 0);
        ServerHarness.Device reader = harness.connect("dev-reader", 0);
        ServerHarness.Device writer = harness.connect("dev-writer", 0);
        // the transports report what the stalled devices hold unread: 1200 bytes in all, over the scope's 1000
        stalled1.connection().queuedBytes(600);
        stalled2.connection().queuedBytes(600);
        reader.connection().queuedBytes(100);

        writer.push(writer.insert("g1", 1, Map.of("title", "one")));
        writer.push(writer.insert("g2", 2, Map.of("title", "two")));
        await().until(() -> reader.live().size() == 2);
        assertThat(stalled1.live()).isEmpty();
        assertThat(stalled2.live()).isEmpty();
        assertThat(harness.server().broadcaster().behindCount()).isEqualTo(2);

        // the first has read everything: the engine's sweep tells it to catch up, without waiting for a broadcast
        stalled1.connection().queuedBytes(0);
        ErrorMessage told = stalled1.await(ErrorMessage.class, e -> e.code() == ErrorCode.CATCH_UP_REQUIRED);
        assertThat(told.message()).contains("pull from your cursor");
        // what it missed comes as one catch-up page from its cursor
        assertThat(stalled1.pull(0, 100).changes()).hasSize(2);

        writer.push(writer.insert("g3", 3, Map.of("title", "three")));
        await().until(() -> reader.live().size() == 3 && stalled1.live().size() == 1);
        assertThat(stalled1.live().get(0).cursor()).isEqualTo(3);
        assertThat(stalled2.live()).isEmpty();
        assertThat(stalled2.connection().sent(ErrorMessage.class)).isEmpty();
        assertThat(stalled2.connection().isOpen()).isTrue();
    }

    @Test
    void belowTheScopeBudgetEveryDeviceGetsLiveBroadcastWhateverItHolds() {
        ServerHarness.Device slow = harness.connect("dev-slow", 0);
        ServerHarness.Device writer = harness.connect("dev-writer", 0);
        slow.connection().queuedBytes(SCOPE_BUDGET - 1);
        writer.push(writer.insert("g1", 1, Map.of("title", "one")));
        await().until(() -> slow.live().size() == 1);
        assertThat(slow.live()).extracting(Changes::cursor).containsExactly(1L);
        assertThat(harness.server().broadcaster().behindCount()).isZero();
    }
}
