package io.pocketsync.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.checksum.ChecksumScan;
import io.pocketsync.api.checksum.RowHash;
import io.pocketsync.api.checksum.ScopeChecksums;
import io.pocketsync.api.checksum.TableChecksum;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.ServerStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The checksum part of the {@link ServerStore} contract (docs/protocol.md 4): the checksums a store keeps with its
 * batches are those of its live rows (equal to a scan), the same whatever order the same writes came in, the same on
 * every node, and follow deletes and resolver merges. A store's test extends this class and implements
 * {@link #newStore}, with the same rules as {@link AbstractServerStoreContractTest}.
 */
public abstract class AbstractChecksumContractTest extends StoreContractFixture {
    private static Change change(String id, String table, String gid, Op op, long wall, Map<String, Object> row) {
        return TestChanges.change(id, table, gid, op, Hlc.of(1_900_000_000_000L + wall, 0).value(), "device-a", row);
    }

    /** Inserts, updates and deletes of two tables, with every kind of value. */
    private static List<Change> mixedWrites() {
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String table = i % 2 == 0 ? "todo" : "note";
            changes.add(change("c-ins-" + i, table, "row-" + i, Op.INSERT, i, Map.of("title", "row " + i, "n", (long) i,
                    "ratio", i + 0.5, "whole", 3.0, "data", new byte[] {(byte) i, 1, 2})));
        }
        for (int i = 0; i < 40; i += 3) {
            String table = i % 2 == 0 ? "todo" : "note";
            // whole images: the final state of each row is then the latest write whatever the order (a partial image
            // that arrives before the row's insert creates a partial row)
            changes.add(change("c-upd-" + i, table, "row-" + i, Op.UPDATE, 100 + i, Map.of("title", "edited " + i, "n", -1L,
                    "ratio", 0.25, "whole", 3.0, "data", new byte[] {9})));
        }
        for (int i = 0; i < 40; i += 5) {
            String table = i % 2 == 0 ? "todo" : "note";
            changes.add(change("c-del-" + i, table, "row-" + i, Op.DELETE, 200 + i, Map.of()));
        }
        return changes;
    }

    /**
     * The checksums a store kept equal those computed from its live rows, at its head.
     */
    @Test
    void checksumsAreThoseOfTheLiveRows() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        List<Change> writes = mixedWrites();
        for (int i = 0; i < writes.size(); i += 7) {
            store.apply(scope, writes.subList(i, Math.min(writes.size(), i + 7)), lww());
        }

        ScopeChecksums kept = store.checksums(scope);

        assertThat(kept.sequence()).isEqualTo(store.info(scope).head());
        assertThat(kept).isEqualTo(ChecksumScan.checksums(store, scope));
        assertThat(kept.table("todo").count()).isEqualTo(20 - 4);
        assertThat(kept.table("note").count()).isEqualTo(20 - 4);
    }

    /**
     * The same writes in another order and other batches give the same checksums.
     */
    @Test
    void sameWritesInAnyOrderGiveTheSameChecksums() {
        ServerStore store = open("node-1");
        Scope inOrder = uniqueScope();
        Scope shuffled = uniqueScope();
        List<Change> writes = mixedWrites();
        store.apply(inOrder, writes, lww());
        List<Change> mixed = new ArrayList<>(writes);
        Collections.shuffle(mixed, new Random(17));
        for (Change write : mixed) {
            store.apply(shuffled, List.of(write), lww());
        }

        assertThat(store.checksums(shuffled).tables()).isEqualTo(store.checksums(inOrder).tables());
    }

    /**
     * Every node sharing the data reports the same checksums, also after a restart.
     */
    @Test
    void everyNodeReportsTheSameChecksums() {
        ServerStore first = open("node-1");
        Scope scope = uniqueScope();
        first.apply(scope, mixedWrites(), lww());
        ServerStore second = open("node-2");
        second.apply(scope, List.of(change("c-late", "todo", "row-late", Op.INSERT, 900, Map.of("title", "late"))), lww());

        assertThat(first.checksums(scope)).isEqualTo(second.checksums(scope));
        assertThat(second.checksums(scope).table("todo").count()).isEqualTo(17);
    }

    /**
     * A merging resolver's stored image is what the checksum covers; deleting every row empties it.
     */
    @Test
    void checksumsFollowMergedImagesAndDeletes() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        store.apply(scope, List.of(change("c1", "todo", "r1", Op.INSERT, 1, Map.of("title", "a"))),
                table -> TestResolvers.stamping("stamp", 7L));

        TableChecksum todo = store.checksums(scope).table("todo");
        assertThat(todo.count()).isEqualTo(1);
        assertThat(todo.sum()).isEqualTo(RowHash.of("todo", "r1", Map.of("title", "a", "stamp", 7L)));

        store.apply(scope, List.of(change("c2", "todo", "r1", Op.DELETE, 2, Map.of())), lww());
        assertThat(store.checksums(scope).tables()).isEmpty();
        assertThat(store.checksums(scope).sequence()).isEqualTo(2);
    }

    /**
     * Superseded, rejected and duplicate changes change nothing.
     */
    @Test
    void changesThatDoNotApplyChangeNothing() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        store.apply(scope, List.of(change("c1", "todo", "r1", Op.INSERT, 10, Map.of("title", "new"))), lww());
        ScopeChecksums before = store.checksums(scope);

        store.apply(scope, List.of(change("c0", "todo", "r1", Op.UPDATE, 1, Map.of("title", "old")),
                change("c1", "todo", "r1", Op.INSERT, 10, Map.of("title", "new"))), lww());

        assertThat(store.checksums(scope)).isEqualTo(before);
    }

    /**
     * The rows of some buckets are exactly the live rows whose global id falls in them.
     */
    @Test
    void rowsInBucketsAreTheLiveRowsOfThoseBuckets() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        store.apply(scope, mixedWrites(), lww());
        Set<Integer> buckets = Set.of(RowHash.bucket("row-2"), RowHash.bucket("row-5"), RowHash.bucket("row-10"));

        List<RowState> rows = store.rowsInBuckets(scope, "todo", buckets);

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 40; i += 2) {
            if (i % 5 != 0 && buckets.contains(RowHash.bucket("row-" + i))) {
                expected.add("row-" + i);
            }
        }
        assertThat(rows).extracting(RowState::globalId).containsExactlyInAnyOrderElementsOf(expected).contains("row-2");
        assertThat(rows).allSatisfy(row -> assertThat(row.deleted()).isFalse());
    }
}
