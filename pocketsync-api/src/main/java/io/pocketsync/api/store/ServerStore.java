package io.pocketsync.api.store;

import io.pocketsync.api.Health;
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The server's durable state: row states, the per-scope sequence, idempotency records, the audit
 * log and the change feed. Built-ins: {@code sqlite} (single node) and {@code redis} (many nodes).
 *
 * <p>Contract (checked by {@code AbstractServerStoreContractTest}):
 * <ul>
 *   <li>{@link #apply} is atomic: all of a batch or none, also if the process dies mid-way; when it
 *       returns, the batch is durable (to the store's documented durability).</li>
 *   <li>Sequences are per scope, gap-free among applied changes, and visible in commit order: a reader
 *       that has seen sequence N never later finds a new change numbered N or less.</li>
 *   <li>Duplicates (a change id already stored, or repeated in the batch) are DUPLICATE, not re-applied.</li>
 *   <li>Every node's commits reach every node's feed listeners, per scope in commit order.</li>
 * </ul>
 *
 * <p>Thread-safe: many threads (and, for shared stores, many nodes) may apply to one scope at once.
 */
public interface ServerStore extends AutoCloseable {
    /**
     * Resolves and stores a batch atomically. For each change in order: DUPLICATE if its id was already
     * stored; otherwise the table's resolver decides against the row's current state (which includes
     * the effect of earlier changes of the same batch). Superseded and rejected changes go to the audit log.
     * Optimistic stores may call resolvers more than once; resolvers are pure. {@link BatchPlan} implements
     * these rules; a store that resolves with it and writes what the plan says meets this part of the contract.
     *
     * @param scope the scope
     * @param changes validated changes, in push order
     * @param resolvers the resolver for each table
     * @return one result per change, in order, and the sequences assigned
     * @throws io.pocketsync.api.PocketSyncException with {@code STORE_UNAVAILABLE} when nothing was stored
     */
    BatchOutcome apply(Scope scope, List<Change> changes, Function<String, ConflictResolver> resolvers);

    /**
     * Reads up to {@code limit} row states whose {@code lastSequence} is greater than {@code afterSequence},
     * in {@code lastSequence} order. Reads one bounded page: never the whole range. With
     * {@code includeDeleted} false a page may come back empty with {@code hasMore} and a moved cursor
     * (see {@link CatchUpPage}).
     *
     * @param scope the scope
     * @param afterSequence the sequence to read after; 0 for the beginning
     * @param limit the most row states to return; positive
     * @param includeDeleted false to skip tombstones (snapshots)
     * @return one page, with the cursor to continue from
     */
    CatchUpPage page(Scope scope, long afterSequence, int limit, boolean includeDeleted);

    /**
     * The current state of one row, tombstones included.
     *
     * @param scope the scope
     * @param table the table name
     * @param globalId the row's {@code ps_global_id}
     * @return the row state, or empty when the row was never written (or its tombstone was pruned)
     */
    Optional<RowState> row(Scope scope, String table, String globalId);

    /**
     * Head and retention horizon of a scope.
     *
     * @param scope the scope
     * @return the scope's head and horizon; both 0 for a scope without data
     */
    ScopeInfo info(Scope scope);

    /**
     * The highest sequence this store assigned to an APPLIED change of {@code deviceId} in {@code scope}: the
     * device's mark, sent in WELCOME so that a device whose file was restored from a backup (or lost) learns that it
     * lacks writes it made, and pulls its own rows back (protocol.md 3.5). A store records it in {@link #apply},
     * atomically with the batch or just after it; it may be higher than the truth (a device then pulls its own rows
     * once for nothing) but must not stay lower once {@code apply} returned. Pruning never lowers it.
     *
     * <p>The default, 0 ("not known"), turns the detection off: a device then repairs only when told to
     * ({@code --resync}).
     *
     * @param scope the scope
     * @param deviceId the device id
     * @return the highest sequence of an applied change of the device, or 0 when it has none or the store keeps none
     */
    default long deviceMark(Scope scope, String deviceId) {
        return 0;
    }

    /**
     * The scopes that hold any data.
     *
     * @return the scopes, in no particular order
     */
    List<Scope> scopes();

    /**
     * Prunes tombstones, idempotency records and audit entries committed before {@code olderThan}, and
     * raises the scope's horizon to the highest sequence pruned.
     *
     * @param scope the scope
     * @param olderThan entries committed before this instant are pruned
     * @return the new horizon
     */
    long prune(Scope scope, Instant olderThan);

    /**
     * Superseded and rejected changes of a scope with id greater than {@code afterId}, oldest first.
     *
     * @param scope the scope
     * @param afterId the audit id to read after; 0 for the oldest
     * @param limit the most entries to return; positive
     * @return the entries, oldest first
     */
    List<AuditEntry> audit(Scope scope, long afterId, int limit);

    /**
     * Subscribes to the change feed (all scopes). Closing the returned handle unsubscribes.
     *
     * @param listener called for every committed batch of any node; not null
     * @return the subscription; closing it is idempotent
     */
    AutoCloseable subscribe(ChangeFeedListener listener);

    /**
     * The checksums of the scope's tables at a level (docs/protocol.md 4): per table and bucket, the live row count and
     * the sum of the {@link io.pocketsync.api.checksum.RowHash row hashes}, together with the head they hold at (read
     * in one consistent snapshot). A store keeps one level up to date in the same atomic step as each batch's row
     * writes, so answering that level, and the coarse level when it keeps the fine one (by
     * {@link io.pocketsync.api.checksum.ScopeChecksums#coarse folding}), costs O(tables), never a scan; every node of a
     * shared store reports the same values. The fine level of a store that keeps only the coarse one is computed from
     * the rows (only a device before the coarse level asks for it). The default computes them by reading the whole
     * scope ({@link io.pocketsync.api.checksum.ChecksumScan}), correct but O(rows), for a store that keeps nothing.
     *
     * @param scope the scope
     * @param level the level of the buckets
     * @return the checksums; no tables for a scope without live rows
     * @throws io.pocketsync.api.PocketSyncException with {@code STORE_UNAVAILABLE} when the store cannot be read
     */
    default io.pocketsync.api.checksum.ScopeChecksums checksums(Scope scope, io.pocketsync.api.checksum.ChecksumLevel level) {
        return io.pocketsync.api.checksum.ChecksumScan.exactChecksums(this, scope, level, null);
    }

    /**
     * One table's fine checksums ({@link io.pocketsync.api.checksum.ChecksumLevel#FINE}): what a device asks for when
     * the table's coarse level differs from its own, to narrow the difference down to fine buckets. A store that keeps
     * the fine level reads them; one that keeps only the coarse level computes them from the table's live rows, exact at
     * the sequence reported (the scan is repeated while batches commit during it, see
     * {@link io.pocketsync.api.checksum.ChecksumScan#exactChecksums}). The default reads the whole scope.
     *
     * @param scope the scope
     * @param table the table
     * @return the head they hold at and the table's checksum; no table when it has no live rows
     * @throws io.pocketsync.api.PocketSyncException with {@code STORE_UNAVAILABLE} when the store cannot be read
     */
    default io.pocketsync.api.checksum.ScopeChecksums fineChecksums(Scope scope, String table) {
        return io.pocketsync.api.checksum.ChecksumScan.exactChecksums(this, scope,
                io.pocketsync.api.checksum.ChecksumLevel.FINE, table);
    }

    /**
     * The live rows of one table whose {@code ps_global_id} falls in one of {@code buckets}
     * ({@link io.pocketsync.api.checksum.RowHash#bucket}): what a device that found those buckets differing
     * compares row by row. The default reads the whole scope.
     *
     * @param scope the scope
     * @param table the table
     * @param buckets the buckets, each 0 to {@code RowHash.BUCKETS - 1}
     * @return the rows, in no particular order
     * @throws io.pocketsync.api.PocketSyncException with {@code STORE_UNAVAILABLE} when the store cannot be read
     */
    default List<RowState> rowsInBuckets(Scope scope, String table, java.util.Set<Integer> buckets) {
        return io.pocketsync.api.checksum.ChecksumScan.rowsInBuckets(this, scope, table, buckets);
    }

    /**
     * Tells every node subscribed to this store's feed, this one included, that a session for {@code deviceId} was
     * established: each calls {@link ChangeFeedListener#onSessionClaimed} with the same arguments, soon and at most
     * once. A store shared by several server nodes must deliver it to all of them (the Redis store publishes it with
     * the feed); best effort, like the feed. The default delivers nothing, which suits a store that only one node
     * uses: a node compares its own sessions itself.
     *
     * @param scope the device's scope
     * @param deviceId the device
     * @param claim the node's claim, opaque to the store; at most 200 characters without line breaks or {@code |}
     */
    default void claimSession(Scope scope, String deviceId, String claim) {}

    /**
     * Where this store keeps the operators' notes of each scope ({@link ScopeNotes}: revoked devices, resyncs asked
     * for, when devices were last seen). A store shared by several nodes keeps them where every node sees them, so
     * that a device revoked through one node is refused by all, also after a restart. The engine asks once, when it is
     * built. The default, empty, makes the engine keep notes in its own memory: lost at a restart, not shared.
     *
     * @return the store's notes; empty when it keeps none
     */
    default Optional<ScopeNotes> scopeNotes() {
        return Optional.empty();
    }

    /**
     * Whether the store can write right now ({@code /health/ready}). A store that met a fault it recovers from by
     * itself (a full disk, a read-only file, a Redis {@code OOM} or {@code READONLY} reply) reports down until a
     * write succeeds again. The default, always up, suits a store with no such faults.
     *
     * @return the store's health; never null
     */
    default Health health() {
        return Health.ok();
    }

    /** Releases connections and files; idempotent. */
    @Override
    void close();
}
