package io.pocketsync.testkit.conflict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.conflict.Resolution;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Rows;
import io.pocketsync.api.store.BatchPlan;
import io.pocketsync.api.store.RowKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract every {@link ConflictResolver} must meet. A plugin's test extends this class and
 * implements {@link #resolver()}; it overrides {@link #claimsCommutative()} and
 * {@link #claimsLastWriterWinsDeletes()} to opt into the stronger checks.
 *
 * <p>Checked for every resolver: it never throws and never returns null (also with no stored state and
 * against tombstones), it is deterministic, an applied state names the incoming row, an applied change says
 * whether it overrides a stored row that is not older ({@link Resolution.Apply#overridesLater()}), and
 * delete/update races end in a valid state in either arrival order. Claimed commutativity is checked over random
 * arrival orders with fixed seeds, so failures reproduce.
 */
public abstract class AbstractConflictResolverContractTest {
    private static final String TABLE = "items";
    private static final String GID = "row-1";
    private static final long BASE_MILLIS = 1_700_000_000_000L;

    private final AtomicInteger ids = new AtomicInteger();
    private final Map<String, Integer> perDevice = new java.util.HashMap<>();

    /**
     * A resolver under test; called once per test.
     *
     * @return a new resolver
     */
    protected abstract ConflictResolver resolver();

    /**
     * Whether the resolver claims the final state is independent of arrival order; checked when true.
     *
     * @return false by default
     */
    protected boolean claimsCommutative() {
        return false;
    }

    /**
     * Whether deletes are ordinary last-write-wins events (a later update resurrects the row); checked when true.
     *
     * @return false by default
     */
    protected boolean claimsLastWriterWinsDeletes() {
        return false;
    }

    @ParameterizedTest
    @EnumSource(Op.class)
    void neverThrowsOrReturnsNullWithoutStoredState(Op op) {
        ConflictResolver resolver = resolver();
        Change change = change(op, "dev-a", 10, Map.of("title", "x", "done", 0L), List.of());
        Resolution resolution = resolver.resolve(null, change);
        assertThat(resolution).isNotNull();
        if (resolution instanceof Resolution.Apply apply) {
            assertThat(apply.state().table()).isEqualTo(TABLE);
            assertThat(apply.state().globalId()).isEqualTo(GID);
            assertThat(apply.state().deleted()).isEqualTo(op == Op.DELETE);
        }
    }

    @Test
    void firstInsertIsAppliedWithItsImage() {
        Change insert = change(Op.INSERT, "dev-a", 10, Map.of("title", "x"), List.of());
        Resolution resolution = resolver().resolve(null, insert);
        assertThat(resolution).isInstanceOf(Resolution.Apply.class);
        RowState state = ((Resolution.Apply) resolution).state();
        assertThat(Rows.rowEquals(state.row(), insert.row())).isTrue();
        assertThat(state.deleted()).isFalse();
        assertThat(state.version()).isEqualTo(insert.version());
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 7, 42, 1234})
    void isDeterministic(long seed) {
        Random random = new Random(seed);
        ConflictResolver first = resolver();
        ConflictResolver second = resolver();
        RowState state = null;
        for (int i = 0; i < 40; i++) {
            Change change = randomChange(random, state != null);
            Resolution a = first.resolve(state, change);
            Resolution b = first.resolve(state, change);
            Resolution c = second.resolve(state, change);
            assertThat(a).as("same inputs, same resolver").isEqualTo(b);
            assertThat(a).as("same inputs, another instance").isEqualTo(c);
            state = fold(first, state, change, i + 1);
        }
    }

    /**
     * {@link Resolution.Apply#overridesLater()} is what the ACK uses to send the device the stored result, so it
     * must say exactly whether a stored row existed that was not older than the change: older and newer changes
     * against live rows and tombstones, then random histories.
     */
    @ParameterizedTest
    @ValueSource(longs = {5, 17, 404})
    void anApplySaysWhetherItOverridesAStoredRowThatIsNotOlder(long seed) {
        ConflictResolver resolver = resolver();
        RowState live = stored(change(Op.INSERT, "dev-a", 20, Map.of("title", "x", "done", 0L), List.of()), 1);
        RowState tombstone = stored(change(Op.DELETE, "dev-a", 20, Map.of(), List.of()), 2);
        for (RowState current : java.util.Arrays.asList(null, live, tombstone)) {
            for (long wall : new long[] {10, 30}) {
                for (Op op : Op.values()) {
                    Change incoming = change(op, "dev-b", wall, Map.of("title", "y", "done", 1L),
                            op == Op.UPDATE ? List.of("title") : List.of());
                    assertOverridesLaterMatches(current, incoming, resolver.resolve(current, incoming));
                }
            }
        }
        Random random = new Random(seed);
        RowState state = null;
        for (int i = 0; i < 60; i++) {
            Change change = randomChange(random, state != null);
            assertOverridesLaterMatches(state, change, resolver.resolve(state, change));
            state = fold(resolver, state, change, i + 1);
        }
    }

    private static void assertOverridesLaterMatches(RowState current, Change incoming, Resolution resolution) {
        assertThat(resolution).as("resolution of %s", incoming.changeId()).isNotNull();
        if (resolution instanceof Resolution.Apply apply) {
            boolean storedNotOlder = current != null && !incoming.version().isAfter(current.version());
            assertThat(apply.overridesLater())
                    .as("overridesLater of %s %s over %s", incoming.op(), incoming.version(),
                            current == null ? "nothing" : current.version())
                    .isEqualTo(storedNotOlder);
        }
    }

    @ParameterizedTest
    @EnumSource(Op.class)
    void neverThrowsAgainstTombstonesOrLiveRows(Op op) {
        ConflictResolver resolver = resolver();
        RowState live = stored(change(Op.INSERT, "dev-a", 10, Map.of("title", "x"), List.of()), 1);
        RowState tombstone = stored(change(Op.DELETE, "dev-a", 20, Map.of(), List.of()), 2);
        for (long wall : new long[] {5, 15, 25}) {
            Change incoming = change(op, "dev-b", wall, Map.of("title", "y"), op == Op.UPDATE ? List.of("title") : List.of());
            assertThatCode(() -> assertThat(resolver.resolve(live, incoming)).isNotNull()).doesNotThrowAnyException();
            assertThatCode(() -> assertThat(resolver.resolve(tombstone, incoming)).isNotNull()).doesNotThrowAnyException();
        }
    }

    @Test
    void deleteUpdateRaceEndsInAValidStateInEitherOrder() {
        Change insert = change(Op.INSERT, "dev-a", 10, Map.of("title", "x", "done", 0L), List.of());
        Change delete = change(Op.DELETE, "dev-b", 20, Map.of(), List.of());
        Change update = change(Op.UPDATE, "dev-c", 20, Map.of("title", "y", "done", 0L), List.of("title"));
        RowState deleteFirst = foldAll(List.of(insert, delete, update));
        RowState updateFirst = foldAll(List.of(insert, update, delete));
        for (RowState state : List.of(deleteFirst, updateFirst)) {
            assertThat(state.deleted() ? state.row() : Map.of()).isEmpty();
            if (!state.deleted()) {
                assertThat(state.row()).containsKeys("title", "done");
            }
        }
        if (claimsCommutative() || claimsLastWriterWinsDeletes()) {
            // the update (same HLC, device dev-c > dev-b) is the later write
            assertThat(deleteFirst.deleted()).isFalse();
            assertThat(updateFirst.deleted()).isFalse();
            assertThat(Rows.rowEquals(deleteFirst.row(), updateFirst.row())).isTrue();
        }
    }

    @Test
    void laterDeleteWinsAndLaterUpdateResurrects() {
        if (!claimsLastWriterWinsDeletes()) {
            assertThat(claimsLastWriterWinsDeletes()).as("not claimed by this resolver").isFalse();
            return;
        }
        ConflictResolver resolver = resolver();
        RowState live = stored(change(Op.INSERT, "dev-a", 10, Map.of("title", "x"), List.of()), 1);
        Change delete = change(Op.DELETE, "dev-b", 20, Map.of(), List.of());
        Resolution deleted = resolver.resolve(live, delete);
        assertThat(deleted).isInstanceOf(Resolution.Apply.class);
        RowState tombstone = ((Resolution.Apply) deleted).state().withSequences(1, 2);
        assertThat(tombstone.deleted()).isTrue();

        Change stale = change(Op.UPDATE, "dev-c", 15, Map.of("title", "stale"), List.of("title"));
        assertThat(resolver.resolve(tombstone, stale)).isInstanceOf(Resolution.Supersede.class);

        Change resurrect = change(Op.UPDATE, "dev-c", 30, Map.of("title", "back"), List.of("title"));
        Resolution resolution = resolver.resolve(tombstone, resurrect);
        assertThat(resolution).isInstanceOf(Resolution.Apply.class);
        RowState alive = ((Resolution.Apply) resolution).state();
        assertThat(alive.deleted()).isFalse();
        assertThat(alive.row()).containsEntry("title", "back");

        Change olderDelete = change(Op.DELETE, "dev-b", 5, Map.of(), List.of());
        assertThat(resolver.resolve(live, olderDelete)).isInstanceOf(Resolution.Supersede.class);
    }

    @ParameterizedTest
    @ValueSource(longs = {3, 11, 2024, 99991})
    void claimedCommutativityHoldsForRandomArrivalOrders(long seed) {
        if (!claimsCommutative()) {
            assertThat(claimsCommutative()).as("not claimed by this resolver").isFalse();
            return;
        }
        Random random = new Random(seed);
        List<Change> changes = new ArrayList<>();
        changes.add(change(Op.INSERT, "dev-0", 1, Map.of("title", "t0", "done", 0L, "note", "n0"), List.of()));
        for (int i = 0; i < 12; i++) {
            changes.add(randomChange(random, true));
        }
        RowState reference = foldAll(changes);
        for (int round = 0; round < 20; round++) {
            List<Change> shuffled = new ArrayList<>(changes);
            Collections.shuffle(shuffled, random);
            RowState state = foldAll(shuffled);
            assertThat(state.deleted()).as("deleted after order %s", ids(shuffled)).isEqualTo(reference.deleted());
            assertThat(Rows.rowEquals(state.row(), reference.row()))
                    .as("row %s vs %s after order %s", state.row(), reference.row(), ids(shuffled)).isTrue();
            assertThat(state.version()).isEqualTo(reference.version());
        }
    }

    /**
     * The row after a store resolves {@code change} against {@code state}: through {@link BatchPlan}, as every
     * store does, so sequences (the step number) and tombstones follow the stores' rules.
     */
    private static RowState fold(ConflictResolver resolver, RowState state, Change change, long step) {
        BatchPlan plan = BatchPlan.resolve(List.of(change), table -> resolver, key -> state, id -> false, step - 1);
        BatchPlan.Planned planned = plan.rows().get(RowKey.of(change));
        return planned == null ? state : planned.state();
    }

    private RowState foldAll(List<Change> changes) {
        ConflictResolver resolver = resolver();
        RowState state = null;
        long step = 0;
        for (Change change : changes) {
            state = fold(resolver, state, change, ++step);
        }
        return state;
    }

    private Change randomChange(Random random, boolean exists) {
        String device = "dev-" + (1 + random.nextInt(3));
        long wall = 2 + random.nextInt(20); // narrow range: HLC ties between devices are frequent
        int pick = random.nextInt(10);
        if (!exists || pick == 0) {
            return change(Op.INSERT, device, wall, Map.of("title", "i" + wall, "done", (long) random.nextInt(2), "note",
                    device), List.of());
        }
        if (pick == 1) {
            return change(Op.DELETE, device, wall, Map.of(), List.of());
        }
        String column = List.of("title", "done", "note").get(random.nextInt(3));
        Object value = column.equals("done") ? (Object) (long) random.nextInt(2) : column + "-" + device + "-" + wall;
        java.util.Map<String, Object> row = new java.util.LinkedHashMap<>(Map.of("title", "t0", "done", 0L, "note", "n0"));
        row.put(column, value);
        return change(Op.UPDATE, device, wall, row, List.of(column));
    }

    private Change change(Op op, String device, long wallOffset, Map<String, Object> row, List<String> columns) {
        // a per-device logical counter keeps (HLC, device) unique, as real device clocks do, while two
        // devices' HLCs still tie often, which is where the device-id tie-break is tested
        int logical = perDevice.merge(device, 1, Integer::sum);
        return new Change(device + "-c" + ids.incrementAndGet(), TABLE, GID, op, op == Op.DELETE ? Map.of() : row,
                columns, Hlc.of(BASE_MILLIS + wallOffset, logical), device);
    }

    private static RowState stored(Change change, long sequence) {
        return RowState.of(change).withSequences(sequence, sequence);
    }

    private static List<String> ids(List<Change> changes) {
        return changes.stream().map(Change::changeId).toList();
    }
}
