package io.pocketsync.testkit.store;

import static io.pocketsync.testkit.store.TestChanges.TABLE;
import static io.pocketsync.testkit.store.TestChanges.change;
import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.store.BatchOutcome;
import io.pocketsync.api.store.ChangeOutcome;
import io.pocketsync.api.store.ServerStore;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link ServerStore#deviceMark}: per scope and device, the highest sequence of the device's applied
 * changes, which a device restored from a backup compares with what it knows (protocol.md 3.5). A store's test
 * extends this class and implements {@link #newStore} like for {@code AbstractServerStoreContractTest}: every call in
 * one test opens a store over the same data (a restart, or a second node).
 */
public abstract class AbstractDeviceMarkContractTest extends StoreContractFixture {
    private long hlc = Hlc.of(1_900_000_000_000L, 0).value();

    private Change write(String id, String gid, Op op, String device) {
        hlc += 1 << Hlc.LOGICAL_BITS;
        return change(id, TABLE, gid, op, hlc, device, Map.of("title", id));
    }

    @Test
    void aDevicesMarkIsTheHighestSequenceOfItsAppliedChanges() {
        ServerStore store = open("node-1");
        Scope scope = Scope.of("scope-" + UUID.randomUUID());
        assertThat(store.deviceMark(scope, "dev-a")).isZero();

        store.apply(scope, List.of(write("a1", "r1", Op.INSERT, "dev-a"), write("b1", "r2", Op.INSERT, "dev-b"),
                write("a2", "r3", Op.INSERT, "dev-a")), lww());
        store.apply(scope, List.of(write("b2", "r1", Op.UPDATE, "dev-b")), lww());

        assertThat(store.deviceMark(scope, "dev-a")).isEqualTo(3);
        assertThat(store.deviceMark(scope, "dev-b")).isEqualTo(4);
        assertThat(store.deviceMark(scope, "dev-c")).isZero();
        assertThat(store.deviceMark(Scope.of("scope-" + UUID.randomUUID()), "dev-a")).isZero();
    }

    @Test
    void duplicatesAndLosersDoNotRaiseItAndPruningDoesNotLowerIt() {
        ServerStore store = open("node-1");
        Scope scope = Scope.of("scope-" + UUID.randomUUID());
        Change created = write("b1", "r1", Op.INSERT, "dev-b");
        Change first = write("a1", "r1", Op.UPDATE, "dev-a");
        Change older = write("a0", "r1", Op.UPDATE, "dev-a");
        Change later = write("b2", "r1", Op.UPDATE, "dev-b");
        store.apply(scope, List.of(created, first), lww());
        store.apply(scope, List.of(later), lww());
        assertThat(store.deviceMark(scope, "dev-a")).isEqualTo(2);

        BatchOutcome again = store.apply(scope, List.of(first, older), lww());

        assertThat(again.outcomes()).extracting(ChangeOutcome::status)
                .containsExactly(ChangeStatus.DUPLICATE, ChangeStatus.SUPERSEDED);
        assertThat(store.deviceMark(scope, "dev-a")).isEqualTo(2);
        store.apply(scope, List.of(write("a3", "r1", Op.DELETE, "dev-a")), lww());
        clock.advance(java.time.Duration.ofDays(30));
        store.prune(scope, clock.instant());
        assertThat(store.info(scope).horizon()).isPositive();
        assertThat(store.deviceMark(scope, "dev-a")).isEqualTo(4);
    }

    @Test
    void marksSurviveARestartAndAreSharedByNodes() {
        Scope scope = Scope.of("scope-" + UUID.randomUUID());
        open("node-1").apply(scope, List.of(write("a1", "r1", Op.INSERT, "dev-a"), write("a2", "r2", Op.INSERT, "dev-a")),
                lww());

        ServerStore other = open("node-2");

        assertThat(other.deviceMark(scope, "dev-a")).isEqualTo(2);
        other.apply(scope, List.of(write("a3", "r3", Op.INSERT, "dev-a")), lww());
        assertThat(open("node-3").deviceMark(scope, "dev-a")).isEqualTo(3);
    }
}
