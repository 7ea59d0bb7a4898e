package io.pocketsync.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.AppliedRange;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Push;
import io.pocketsync.api.store.BatchOutcome;
import io.pocketsync.testkit.store.ForwardingServerStore;
import io.pocketsync.testkit.store.InMemoryServerStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Bulk pages that wait behind one another for a session are stored as one store batch (BulkGroup), each still answered
 * with its own ACK and range, and no message is handled out of the order it came in.
 */
class BulkGroupTest {
    private static final Scope SCOPE = Scope.of("scope-bulk-group");

    private final InMemoryServerStore delegate = new InMemoryServerStore();
    private final GatedStore store = new GatedStore(delegate);
    private final ServerHarness harness = new ServerHarness(store, SCOPE.name());

    @AfterEach
    void close() {
        store.release.countDown();
        harness.close();
        delegate.close();
    }

    @Test
    void pagesWaitingBehindAStoreCallAreStoredTogetherAndEachAnsweredWithItsOwnRange() throws Exception {
        ServerHarness.Device device = harness.connect("dev-a", 0);
        send(device, "p1", true, device.insert("r1", 1, row("a")), device.insert("r2", 2, row("b")));
        assertThat(store.entered.await(10, TimeUnit.SECONDS)).isTrue();
        send(device, "p2", true, device.insert("r3", 3, row("c")), device.insert("r4", 4, row("d")));
        send(device, "p3", true, device.insert("r5", 5, row("e")));
        send(device, "p4", true, device.insert("r6", 6, row("f")), device.insert("r7", 7, row("g")));

        store.release.countDown();

        List<Ack> acks = acks(device, 4);
        assertThat(store.batches).containsExactly(2, 5);
        assertThat(acks).extracting(Ack::batchId).containsExactly("p1", "p2", "p3", "p4");
        assertThat(acks).extracting(Ack::applied).containsExactly(new AppliedRange(1, 2, 2), new AppliedRange(3, 4, 2),
                new AppliedRange(5, 5, 1), new AppliedRange(6, 7, 2));
        assertThat(acks).allSatisfy(ack -> assertThat(ack.results()).isEmpty());
        assertThat(delegate.info(SCOPE).head()).isEqualTo(7);
    }

    @Test
    void anOrdinaryPushBetweenPagesIsStoredAndAnsweredInItsPlace() throws Exception {
        ServerHarness.Device device = harness.connect("dev-a", 0);
        send(device, "p1", true, device.insert("r1", 1, row("a")));
        assertThat(store.entered.await(10, TimeUnit.SECONDS)).isTrue();
        send(device, "p2", true, device.insert("r2", 2, row("b")));
        send(device, "q1", false, device.insert("r3", 3, row("c")));
        send(device, "p3", true, device.insert("r4", 4, row("d")));

        store.release.countDown();

        List<Ack> acks = acks(device, 4);
        assertThat(store.batches).containsExactly(1, 1, 1, 1);
        assertThat(acks).extracting(Ack::batchId).containsExactly("p1", "p2", "q1", "p3");
        assertThat(acks.get(2).results()).extracting(ChangeResult::sequence).containsExactly(3L);
        assertThat(acks.get(3).applied()).isEqualTo(new AppliedRange(4, 4, 1));
    }

    @Test
    void aPageSentAgainWhileItsFirstSendingWaitsIsStoredAfterItAndAnsweredDuplicate() throws Exception {
        ServerHarness.Device device = harness.connect("dev-a", 0);
        send(device, "p1", true, device.insert("r1", 1, row("a")));
        assertThat(store.entered.await(10, TimeUnit.SECONDS)).isTrue();
        Change second = device.insert("r2", 2, row("b"));
        send(device, "p2", true, second);
        send(device, "p2-again", true, second);

        store.release.countDown();

        List<Ack> acks = acks(device, 3);
        assertThat(store.batches).containsExactly(1, 1, 1);
        assertThat(acks.get(1).applied()).isEqualTo(new AppliedRange(2, 2, 1));
        assertThat(acks.get(2).applied()).isEqualTo(AppliedRange.NONE);
        assertThat(acks.get(2).results()).extracting(ChangeResult::status).containsExactly(ChangeStatus.DUPLICATE);
        assertThat(delegate.info(SCOPE).head()).isEqualTo(2);
    }

    private static void send(ServerHarness.Device device, String batchId, boolean bulk, Change... changes) {
        device.send(new Push(ProtocolVersion.CURRENT, batchId, List.of(changes), bulk));
    }

    private static List<Ack> acks(ServerHarness.Device device, int count) {
        await().atMost(Duration.ofSeconds(10)).until(() -> device.connection().sent(Ack.class).size() == count);
        return device.connection().sent(Ack.class);
    }

    private static Map<String, Object> row(String title) {
        return Map.of("title", title);
    }

    /** Counts the changes of each store batch; the first batch waits until released. */
    private static final class GatedStore extends ForwardingServerStore {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final List<Integer> batches = new CopyOnWriteArrayList<>();

        GatedStore(InMemoryServerStore delegate) {
            super(delegate);
        }

        @Override
        public BatchOutcome apply(Scope scope, List<Change> changes, Function<String, ConflictResolver> resolvers) {
            batches.add(changes.size());
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return delegate().apply(scope, changes, resolvers);
        }
    }
}
