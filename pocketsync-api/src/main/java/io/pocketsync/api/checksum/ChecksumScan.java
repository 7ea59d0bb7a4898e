package io.pocketsync.api.checksum;

import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.CatchUpPage;
import io.pocketsync.api.store.ServerStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Checksums and bucket rows computed by reading a whole scope through {@link ServerStore#page}: what the
 * {@code ServerStore} defaults do for a store that keeps nothing itself. O(rows of the scope), and not a
 * consistent snapshot while batches commit (a device compares only what holds at its own cursor, and repairs
 * row by row from each row's current state, so a moving scope costs a retry, never a wrong repair).
 */
public final class ChecksumScan {
    /** Scans of {@link #exactChecksums} before it reports one during which batches committed. */
    public static final int EXACT_ATTEMPTS = 3;
    private static final int PAGE = 1000;

    private ChecksumScan() {}

    /**
     * The fine checksums of every table, computed from the live rows.
     *
     * @param store the store
     * @param scope the scope
     * @return the checksums, at the head read before the scan
     */
    public static ScopeChecksums checksums(ServerStore store, Scope scope) {
        return checksums(store, scope, ChecksumLevel.FINE, null);
    }

    /**
     * The checksums of every table, or of one, at a level, computed from the live rows.
     *
     * @param store the store
     * @param scope the scope
     * @param level the level of the buckets
     * @param table the one table to compute; null for every table
     * @return the checksums, at the head read before the scan
     */
    public static ScopeChecksums checksums(ServerStore store, Scope scope, ChecksumLevel level, @Nullable String table) {
        long head = store.info(scope).head();
        Map<String, TableChecksum.Builder> tables = new LinkedHashMap<>();
        forEachLive(store, scope, row -> {
            if (table == null || table.equals(row.table())) {
                tables.computeIfAbsent(row.table(), name -> new TableChecksum.Builder(name, level))
                        .add(row.globalId(), RowHash.of(row.table(), row.globalId(), row.row()));
            }
        });
        List<TableChecksum> checksums = new ArrayList<>();
        tables.values().forEach(builder -> checksums.add(builder.build()));
        return new ScopeChecksums(head, checksums);
    }

    /**
     * Like {@link #checksums(ServerStore, Scope, ChecksumLevel, String)}, but exact at the sequence it reports: the
     * scan is repeated (at most {@value #EXACT_ATTEMPTS} times) while batches commit during it. When the scope never held still,
     * the last scan is reported at the head read after it, which is past every sequence a device compared at before it
     * asked, so that device starts its comparison again rather than trust a mixed answer.
     *
     * @param store the store
     * @param scope the scope
     * @param level the level of the buckets
     * @param table the one table to compute; null for every table
     * @return the checksums
     */
    public static ScopeChecksums exactChecksums(ServerStore store, Scope scope, ChecksumLevel level, @Nullable String table) {
        for (int attempt = 1; ; attempt++) {
            ScopeChecksums scanned = checksums(store, scope, level, table);
            long after = store.info(scope).head();
            if (after == scanned.sequence()) {
                return scanned;
            }
            if (attempt >= EXACT_ATTEMPTS) {
                return new ScopeChecksums(after, scanned.tables());
            }
        }
    }

    /**
     * The live rows of one table whose global id falls in one of {@code buckets}.
     *
     * @param store the store
     * @param scope the scope
     * @param table the table
     * @param buckets the buckets
     * @return the rows, in no particular order
     */
    public static List<RowState> rowsInBuckets(ServerStore store, Scope scope, String table, Set<Integer> buckets) {
        List<RowState> rows = new ArrayList<>();
        forEachLive(store, scope, row -> {
            if (row.table().equals(table) && buckets.contains(RowHash.bucket(row.globalId()))) {
                rows.add(row);
            }
        });
        return rows;
    }

    private static void forEachLive(ServerStore store, Scope scope, java.util.function.Consumer<RowState> visit) {
        long after = 0;
        while (true) {
            CatchUpPage page = store.page(scope, after, PAGE, false);
            page.rows().forEach(visit);
            if (!page.hasMore()) {
                return;
            }
            after = page.nextCursor();
        }
    }
}
