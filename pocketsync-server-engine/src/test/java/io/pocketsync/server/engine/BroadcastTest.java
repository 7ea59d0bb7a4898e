package io.pocketsync.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.testkit.store.InMemoryServerStore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BroadcastTest {
    private final InMemoryServerStore store = new InMemoryServerStore();
    private final ServerHarness harness = new ServerHarness(store, "scope-b");

    @AfterEach
    void close() {
        harness.close();
        store.close();
    }

    @Test
    void appliedChangesReachTheOtherDevicesAndTheSenderOnlyGetsTheRange() {
        ServerHarness.Device a = harness.connect("dev-a", 0);
        ServerHarness.Device b = harness.connect("dev-b", 0);
        ServerHarness.Device c = harness.connect("dev-c", 0);
        Change change = a.insert("g1", 0, Map.of("title", "hello"));
        a.push(change);

        for (ServerHarness.Device other : List.of(b, c)) {
            await().until(() -> other.live().size() == 1);
            Changes live = other.live().get(0);
            assertThat(live.fromCursor()).isZero();
            assertThat(live.cursor()).isEqualTo(1);
            assertThat(live.changes()).containsExactly(change);
            assertThat(live.sequences()).containsExactly(1L);
        }
        await().until(() -> a.live().size() == 1);
        assertThat(a.live().get(0).changes()).isEmpty();
        assertThat(a.live().get(0).sequences()).isEmpty();
        assertThat(a.live().get(0).cursor()).isEqualTo(1);

        a.push(a.insert("g2", 1, Map.of("title", "two")), a.insert("g3", 2, Map.of("title", "three")));
        await().until(() -> b.live().size() == 2);
        assertThat(b.live().get(1).sequences()).containsExactly(2L, 3L);
    }

    @Test
    void devicesWithRowsToApplyAreServedBeforeTheSender() {
        List<ServerHarness.Device> devices = List.of(harness.connect("dev-a", 0), harness.connect("dev-b", 0),
                harness.connect("dev-c", 0));
        // each device sends in turn: whatever order the registry keeps, the sender must come last every time
        for (int i = 0; i < devices.size(); i++) {
            ServerHarness.Device sender = devices.get(i);
            sender.push(sender.insert("g" + i, i, Map.of("n", (long) i)));
            int sent = i + 1;
            await().until(() -> devices.stream().allMatch(d -> d.live().size() == sent));
            Changes toSender = sender.live().get(i);
            assertThat(toSender.changes()).isEmpty();
            for (ServerHarness.Device other : devices) {
                if (other != sender) {
                    assertThat(other.connection().sendNumber(other.live().get(i)))
                            .isLessThan(sender.connection().sendNumber(toSender));
                }
            }
        }
    }

    @Test
    void otherScopesHearNothing() {
        InMemoryServerStore shared = store;
        try (ServerHarness otherScope = new ServerHarness(shared, "scope-other")) {
            ServerHarness.Device stranger = otherScope.connect("dev-z", 0);
            ServerHarness.Device b = harness.connect("dev-b", 0);
            ServerHarness.Device a = harness.connect("dev-a", 0);
            a.push(a.insert("g1", 0, Map.of("title", "private")));
            await().until(() -> b.live().size() == 1);
            assertThat(stranger.live()).isEmpty();
            assertThat(stranger.pull(0, 100).changes()).isEmpty();
        }
    }

    @Test
    void aSlowDeviceDoesNotStallTheOthers() {
        ServerHarness.Device slow = harness.connect("dev-slow", 0);
        ServerHarness.Device fast = harness.connect("dev-fast", 0);
        ServerHarness.Device writer = harness.connect("dev-w", 0);
        slow.connection().failSends(true);
        for (int i = 0; i < 5; i++) {
            writer.push(writer.insert("g" + i, i, Map.of("n", (long) i)));
        }
        await().until(() -> fast.live().size() == 5);
        assertThat(slow.live()).isEmpty();
        assertThat(fast.live()).extracting(Changes::cursor).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(slow.connection().isOpen()).isTrue();
    }

    @Test
    void aFeedGapTellsEveryDeviceToCatchUp() {
        ServerHarness.Device a = harness.connect("dev-a", 0);
        store.simulateGap();
        assertThat(a.await(ErrorMessage.class, e -> true).code()).isEqualTo(ErrorCode.CATCH_UP_REQUIRED);
        assertThat(a.connection().isOpen()).isTrue();
    }

    @Test
    void commitsOfAnotherNodeSharingTheStoreAreBroadcastHere() {
        ServerHarness.Device here = harness.connect("dev-a", 0);
        // another node: its own server over the same store (the store's feed spans nodes)
        try (ServerHarness otherNode = new ServerHarness(store, "scope-b")) {
            ServerHarness.Device there = otherNode.connect("dev-b", 0);
            there.push(there.insert("g1", 0, Map.of("title", "from node 2")));
            await().until(() -> here.live().size() == 1);
            assertThat(here.live().get(0).changes()).extracting(Change::globalId).containsExactly("g1");
            assertThat(store.info(Scope.of("scope-b")).head()).isEqualTo(1);
        }
    }
}
