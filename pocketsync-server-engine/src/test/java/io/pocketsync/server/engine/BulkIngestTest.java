package io.pocketsync.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.AppliedRange;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.testkit.store.InMemoryServerStore;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A bulk page (protocol.md 3.2a) is stored like any PUSH and answered with a compact ACK. */
class BulkIngestTest {
    private static final Scope SCOPE = Scope.of("scope-bulk");

    private final InMemoryServerStore store = new InMemoryServerStore();
    private final ServerHarness harness = new ServerHarness(store, SCOPE.name());

    @AfterEach
    void close() {
        harness.close();
        store.close();
    }

    @Test
    void appliedRowsAreAnsweredAsARangeAndOnlyTheOthersByName() {
        ServerHarness.Device other = harness.connect("dev-b", 0);
        ServerHarness.Device device = harness.connect("dev-a", 0);
        other.push(other.insert("row-2", 50, Map.of("title", "theirs, later")));

        Ack ack = device.pushBulk(device.insert("row-1", 1, Map.of("title", "a")), device.insert("row-2", 2, Map.of("title", "b")),
                device.insert("row-3", 3, Map.of("title", "c")));

        assertThat(ack.applied()).isEqualTo(new AppliedRange(2, 3, 2));
        assertThat(ack.results()).singleElement().satisfies(result -> {
            assertThat(result.status()).isEqualTo(ChangeStatus.SUPERSEDED);
            assertThat(result.winner().row()).containsEntry("title", "theirs, later");
        });
        assertThat(store.info(SCOPE).head()).isEqualTo(3);
    }

    @Test
    void aPageSentAgainIsNamedDuplicateRowByRowAndStoresNothing() {
        ServerHarness.Device device = harness.connect("dev-a", 0);
        Change first = device.insert("row-1", 1, Map.of("title", "a"));
        Change second = device.insert("row-2", 2, Map.of("title", "b"));
        device.pushBulk(first, second);

        Ack again = device.pushBulk(first, second);

        assertThat(again.applied()).isEqualTo(AppliedRange.NONE);
        assertThat(again.results()).extracting(ChangeResult::status).containsOnly(ChangeStatus.DUPLICATE);
        assertThat(again.results()).extracting(ChangeResult::sequence).containsExactly(1L, 2L);
        assertThat(store.info(SCOPE).head()).isEqualTo(2);
    }

    @Test
    void aReadOnlySessionsPageIsRefusedRowByRow() {
        ServerHarness.Device reader = harness.connectReadOnly("dev-r", 0);

        Ack ack = reader.pushBulk(reader.insert("row-1", 1, Map.of("title", "a")));

        assertThat(ack.applied()).isEqualTo(AppliedRange.NONE);
        assertThat(ack.results()).extracting(ChangeResult::errorCode).containsOnly(ErrorCode.SCOPE_READ_ONLY);
        assertThat(store.info(SCOPE).head()).isZero();
    }

    @Test
    void anOrdinaryPushIsStillAnsweredRowByRow() {
        ServerHarness.Device device = harness.connect("dev-a", 0);

        Ack ack = device.push(device.insert("row-1", 1, Map.of("title", "a")));

        assertThat(ack.applied()).isNull();
        assertThat(ack.results()).hasSize(1);
    }
}
