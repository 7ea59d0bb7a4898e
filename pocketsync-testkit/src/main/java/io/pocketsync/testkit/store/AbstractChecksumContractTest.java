package io.pocketsync.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.checksum.ChecksumLevel;
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
 * batches are those of its live rows (equal to a scan) at both levels and for one table's fine level, the same whatever
 * order the same writes came in, the same on every node, and follow deletes and resolver merges. A store's test extends this class and implements
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
     * The checksums a store kept equal those computed from its live rows, at its head, at both levels.
     */
    @Test
    void checksumsAreThoseOfTheLiveRows() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        List<Change> writes = mixedWrites();
        for (int i = 0; i < writes.size(); i += 7) {
            store.apply(scope, writes.subList(i, Math.min(writes.size(), i + 7)), lww());
        }
        ScopeChecksums scanned = ChecksumScan.checksums(store, scope);

        ScopeChecksums fine = store.checksums(scope, ChecksumLevel.FINE);
        ScopeChecksums coarse = store.checksums(scope, ChecksumLevel.COARSE);

        assertThat(fine.sequence()).isEqualTo(coarse.sequence()).isEqualTo(store.info(scope).head());
        assertThat(fine).isEqualTo(scanned);
        assertThat(coarse).isEqualTo(ChecksumScan.checksums(store, scope, ChecksumLevel.COARSE, null)).isEqualTo(scanned.coarse());
        assertThat(coarse.tables()).allSatisfy(table -> assertThat(table.level()).isEqualTo(ChecksumLevel.COARSE));
        assertThat(coarse.table("todo").count()).isEqualTo(20 - 4);
        assertThat(coarse.table("note").count()).isEqualTo(20 - 4);
        assertThat(coarse.table("todo").sum()).isEqualTo(fine.table("todo").sum());
    }

    /**
     * One table's fine checksums are those computed from its live rows, and fold into its coarse ones; a table without
     * live rows has none.
     */
    @Test
    void fineChecksumsOfOneTableAreThoseOfItsLiveRows() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        store.apply(scope, mixedWrites(), lww());
        ScopeChecksums coarse = store.checksums(scope, ChecksumLevel.COARSE);

        for (String table : List.of("todo", "note")) {
            ScopeChecksums fine = store.fineChecksums(scope, table);
            assertThat(fine.sequence()).isEqualTo(store.info(scope).head());
            assertThat(fine.tables()).singleElement().satisfies(checksum -> {
                assertThat(checksum.level()).isEqualTo(ChecksumLevel.FINE);
                assertThat(checksum).isEqualTo(ChecksumScan.checksums(store, scope).table(table));
                assertThat(checksum.coarse()).isEqualTo(coarse.table(table));
            });
        }
        assertThat(store.fineChecksums(scope, "absent").tables()).isEmpty();
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

        assertThat(store.checksums(shuffled, ChecksumLevel.COARSE).tables())
                .isEqualTo(store.checksums(inOrder, ChecksumLevel.COARSE).tables());
        assertThat(store.fineChecksums(shuffled, "todo").tables()).isEqualTo(store.fineChecksums(inOrder, "todo").tables());
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

        assertThat(first.checksums(scope, ChecksumLevel.COARSE)).isEqualTo(second.checksums(scope, ChecksumLevel.COARSE));
        assertThat(second.checksums(scope, ChecksumLevel.COARSE).table("todo").count()).isEqualTo(17);
        assertThat(first.fineChecksums(scope, "todo")).isEqualTo(second.fineChecksums(scope, "todo"));
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

        TableChecksum todo = store.checksums(scope, ChecksumLevel.COARSE).table("todo");
        assertThat(todo.count()).isEqualTo(1);
        assertThat(todo.sum()).isEqualTo(RowHash.of("todo", "r1", Map.of("title", "a", "stamp", 7L)));
        assertThat(store.fineChecksums(scope, "todo").table("todo").sum()).isEqualTo(todo.sum());

        store.apply(scope, List.of(change("c2", "todo", "r1", Op.DELETE, 2, Map.of())), lww());
        assertThat(store.checksums(scope, ChecksumLevel.COARSE).tables()).isEmpty();
        assertThat(store.checksums(scope, ChecksumLevel.COARSE).sequence()).isEqualTo(2);
        assertThat(store.fineChecksums(scope, "todo").tables()).isEmpty();
    }

    /**
     * Superseded, rejected and duplicate changes change nothing.
     */
    @Test
    void changesThatDoNotApplyChangeNothing() {
        ServerStore store = open("node-1");
        Scope scope = uniqueScope();
        store.apply(scope, List.of(change("c1", "todo", "r1", Op.INSERT, 10, Map.of("title", "new"))), lww());
        ScopeChecksums before = store.checksums(scope, ChecksumLevel.COARSE);

        store.apply(scope, List.of(change("c0", "todo", "r1", Op.UPDATE, 1, Map.of("title", "old")),
                change("c1", "todo", "r1", Op.INSERT, 10, Map.of("title", "new"))), lww());

        assertThat(store.checksums(scope, ChecksumLevel.COARSE)).isEqualTo(before);
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
