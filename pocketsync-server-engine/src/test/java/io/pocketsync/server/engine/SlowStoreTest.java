package io.pocketsync.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Ping;
import io.pocketsync.api.protocol.Pong;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Push;
import io.pocketsync.api.store.BatchOutcome;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.testkit.store.ForwardingServerStore;
import io.pocketsync.testkit.store.InMemoryServerStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A store call that hangs for one device must not stall other devices, and its own backlog stays bounded. */
class SlowStoreTest {
    private final CountDownLatch release = new CountDownLatch(1);
    private final InMemoryServerStore delegate = new InMemoryServerStore();
    private final ServerHarness harness = new ServerHarness(new HangingForDeviceStore(delegate, "dev-slow", release),
            "scope-slow", TableResolvers.lastWriteWins(),
            ServerOptions.builder().nodeId("n").workerThreads(2).maxQueuedMessagesPerSession(2).build());

    @AfterEach
    void close() {
        release.countDown();
        harness.close();
        delegate.close();
    }

    @Test
    void oneDevicesHangingStoreCallDoesNotStallOthersAndItsBacklogIsBounded() {
        ServerHarness.Device slow = harness.connect("dev-slow", 0);
        ServerHarness.Device fast = harness.connect("dev-fast", 0);
        for (int i = 0; i < 6; i++) {
            slow.send(new Push(ProtocolVersion.CURRENT, "slow-" + i, List.of(slow.insert("s" + i, i, Map.of("n", 1L)))));
        }
        ErrorMessage busy = slow.await(ErrorMessage.class, e -> e.code() == ErrorCode.TIMEOUT);
        assertThat(busy.refId()).startsWith("slow-");

        Ack ack = fast.push(fast.insert("f1", 0, Map.of("n", 1L)));
        assertThat(ack.results()).hasSize(1);
        fast.send(new Ping(ProtocolVersion.CURRENT, 7));
        assertThat(fast.await(Pong.class, p -> true).nonce()).isEqualTo(7);

        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> slow.connection().sent(Ack.class).size()
                + slow.connection().sent(ErrorMessage.class).stream().filter(e -> e.code() == ErrorCode.TIMEOUT).count() == 6);
        assertThat(slow.connection().sent(Ack.class)).hasSizeBetween(1, 3);
    }

    /** Delegates everything; {@code apply} for one device's changes waits for a latch. */
    private static final class HangingForDeviceStore extends ForwardingServerStore {
        private final String device;
        private final CountDownLatch release;

        HangingForDeviceStore(ServerStore delegate, String device, CountDownLatch release) {
            super(delegate);
            this.device = device;
            this.release = release;
        }

        @Override
        public BatchOutcome apply(Scope scope, List<Change> changes, Function<String, ConflictResolver> resolvers) {
            if (changes.get(0).deviceId().equals(device)) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return delegate().apply(scope, changes, resolvers);
        }
    }
}
