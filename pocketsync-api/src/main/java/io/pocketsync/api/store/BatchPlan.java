package io.pocketsync.api.store;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.conflict.Resolution;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.protocol.ChangeStatus;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The rules of {@link ServerStore#apply}, decided in memory before anything is written: which changes are
 * duplicates, what the table's resolver decides for each of the others (against the row as the earlier
 * changes of the same batch left it), the rows' new states with their sequences, the audit entries, the
 * change ids to record and the feed's view of the applied changes. A store reads what the batch needs,
 * calls {@link #resolve}, writes what the plan says in one atomic step and returns {@link #outcome};
 * every built-in store and the testkit's in-memory store do exactly that, so they cannot disagree on
 * what a batch means.
 *
 * <p>It lives beside {@code ServerStore} because it is the contract in executable form and needs nothing
 * but this module: a store plugin, the testkit and the engine all reach it without depending on each other.
 *
 * <p>The rules, in batch order:
 * <ul>
 *   <li>a change id stored before the batch, or repeated inside it, is DUPLICATE and decides nothing;</li>
 *   <li>{@link Resolution.Apply} becomes the row's state with the next sequence; {@code firstSequence}
 *       is that of the change that first created the row and survives delete and re-creation; the
 *       outcome carries the resolution's {@code overridesLater} as it was decided, and the {@code lastSequence} of the
 *       state it replaced ({@link ChangeOutcome#previous()}: an earlier change of the batch, the stored state or
 *       tombstone, 0 when the store had none; a blind write is correct only if it refuses a row that is there);</li>
 *   <li>{@link Resolution.Supersede} keeps the stored state (SUPERSEDED, audited with the winner's change
 *       id); superseding a change by a row that does not exist is a REJECTED {@code RESOLVER_REJECTED};</li>
 *   <li>{@link Resolution.Reject} is REJECTED with the resolver's code, audited;</li>
 *   <li>an {@code Apply} whose row would take a UNIQUE value another live row holds is REJECTED
 *       {@code UNIQUE_CONFLICT}, audited, with the row's stored state (if any) in its outcome; so is a {@code Reject}
 *       with {@code SCOPE_READ_ONLY} (a session that may only read) ({@link UniqueClaims};
 *       only when the store passes its claim index);</li>
 *   <li>a resolver that throws, returns null or returns another row's state fails the whole plan with
 *       {@code INTERNAL}, so nothing of the batch is written.</li>
 * </ul>
 * Resolvers are pure, so a store may make as many plans for one batch as it needs (an optimistic store
 * plans again after a conflict); only the plan it writes counts.
 *
 * <p>Sequences are assigned from {@code base} (the head the plan was made against). A store that learns
 * the real head only while writing (Redis) passes the difference to {@link #outcome(long)} and
 * {@link #feedChanges(long)}; sequences this batch assigned move by it, sequences read from the store do not.
 * Not thread-safe; one plan per apply attempt.
 */
public final class BatchPlan {
    /** A row state and which of its sequences this batch assigned. */
    public record Planned(RowState state, boolean lastAssigned, boolean firstAssigned) {
        /**
         * This state with the sequences the batch assigned moved by {@code delta}.
         *
         * @param delta how far the real head is from the plan's {@code base}
         * @return the state; unchanged when the batch assigned no sequence to it or {@code delta} is 0
         */
        public RowState rebased(long delta) {
            if (!lastAssigned || delta == 0) {
                return state;
            }
            return state.withSequences(firstAssigned ? state.firstSequence() + delta : state.firstSequence(),
                    state.lastSequence() + delta);
        }
    }

    /** An audit entry before the store gives it an id and a time. */
    public record PendingAudit(ChangeStatus status, Change change, @Nullable String winnerChangeId, @Nullable ErrorCode errorCode,
            @Nullable String reason) {}

    /**
     * {@code born}: the change brought the row (back) to life, so live devices are sent an INSERT; {@code replaced}: APPLIED,
     * the state the change replaced (null when the store had none), whose sequence the outcome reports.
     */
    record Decision(Change change, ChangeStatus status, long sequence, Planned state, ErrorCode code,
            String reason, boolean born, boolean overridesLater, @Nullable Planned replaced) {
        Decision(Change change, ChangeStatus status, long sequence, Planned state, ErrorCode code, String reason, boolean born,
                boolean overridesLater) {
            this(change, status, sequence, state, code, reason, born, overridesLater, null);
        }
    }

    // filled by BatchResolver, which decides the changes; read through the accessors below
    final long base;
    final List<Decision> decisions = new ArrayList<>();
    final Map<RowKey, Planned> rows = new LinkedHashMap<>();
    final Map<RowKey, @Nullable RowState> loaded = new LinkedHashMap<>();
    final List<PendingAudit> audits = new ArrayList<>();
    final List<String> processedIds = new ArrayList<>();
    final UniqueClaims claims;
    long applied;

    private BatchPlan(long base, UniqueClaims.Holders holders) {
        this.base = base;
        this.claims = new UniqueClaims(holders);
    }

    /**
     * Resolves a batch.
     *
     * @param changes the batch, in push order
     * @param resolvers the resolver of each table
     * @param load the stored state of a row (null when absent); called at most once per row
     * @param processed whether a change id was stored before this batch
     * @param base the scope's head the plan is made against; applied changes take {@code base + 1} on
     * @return the plan
     * @throws PocketSyncException INTERNAL when a resolver fails or breaks its contract
     */
    public static BatchPlan resolve(List<Change> changes, Function<String, ConflictResolver> resolvers,
            Function<RowKey, @Nullable RowState> load, Predicate<String> processed, long base) {
        return resolve(changes, resolvers, load, processed, base, UniqueClaims.Holders.NONE);
    }

    /**
     * Resolves a batch and checks its unique claims against the store's claim index.
     *
     * @param changes the batch, in push order
     * @param resolvers the resolver of each table
     * @param load the stored state of a row (null when absent); called at most once per row, also for rows
     *        outside the batch that hold a claim the batch wants
     * @param processed whether a change id was stored before this batch
     * @param base the scope's head the plan is made against; applied changes take {@code base + 1} on
     * @param holders the claim index as stored before the batch; asked at most once per claim
     * @return the plan
     * @throws PocketSyncException INTERNAL when a resolver fails or breaks its contract
     */
    public static BatchPlan resolve(List<Change> changes, Function<String, ConflictResolver> resolvers,
            Function<RowKey, @Nullable RowState> load, Predicate<String> processed, long base, UniqueClaims.Holders holders) {
        requireNonNull(changes, "changes is null");
        requireNonNull(resolvers, "resolvers is null");
        BatchPlan plan = new BatchPlan(base, holders);
        new BatchResolver(plan, resolvers, load).resolve(changes, processed);
        return plan;
    }

    /**
     * Whether every row of the batch is first touched by an INSERT. A device's INSERT creates a row with a
     * fresh global id, so such a batch almost always finds none of its rows stored: a store may write it
     * without reading the rows first, as long as the write itself refuses a row that is there after all.
     *
     * @param changes the batch, in push order
     * @return true when no row of the batch is first touched by an UPDATE or DELETE
     */
    public static boolean createsOnlyNewRows(List<Change> changes) {
        boolean onlyInserts = true;
        for (Change change : changes) {
            if (change.op() != Op.INSERT) {
                onlyInserts = false;
                break;
            }
        }
        if (onlyInserts) {
            return true;
        }
        // Created and then changed within the batch (an insert edited before it was pushed) still counts.
        Set<RowKey> seen = new HashSet<>();
        for (Change change : changes) {
            if (seen.add(RowKey.of(change)) && change.op() != Op.INSERT) {
                return false;
            }
        }
        return true;
    }

    /**
     * How many changes were applied (the number of sequences the batch takes).
     *
     * @return the count
     */
    public long appliedCount() {
        return applied;
    }

    /**
     * The head this plan was made against.
     *
     * @return the head
     */
    public long base() {
        return base;
    }

    /**
     * Rows whose state the batch changes, with their final state.
     *
     * @return the rows by key, in the order first touched; the plan's own map
     */
    public Map<RowKey, Planned> rows() {
        return rows;
    }

    /**
     * The stored state of every row the batch read (null values for absent rows).
     *
     * @return the rows by key; the plan's own map
     */
    public Map<RowKey, @Nullable RowState> loaded() {
        return loaded;
    }

    /**
     * The unique claims whose holder the batch changes, to write with the rows.
     *
     * @return the writes, empty for a batch of tables without unique claims
     */
    public List<UniqueClaims.Write> claimWrites() {
        return claims.writes();
    }

    /**
     * The audit entries to write: superseded and rejected changes, in batch order.
     *
     * @return the entries; the plan's own list
     */
    public List<PendingAudit> audits() {
        return audits;
    }

    /**
     * Ids to record as processed: every change that was not a duplicate.
     *
     * @return the ids, in batch order
     */
    public List<String> processedIds() {
        return processedIds;
    }

    /**
     * Whether the batch writes anything at all.
     *
     * @return true when every change was a duplicate
     */
    public boolean writesNothing() {
        return processedIds.isEmpty();
    }

    /**
     * The outcome, with this batch's sequences moved by {@code delta}.
     *
     * @param delta how far the real head is from the plan's {@code base}; 0 when it was right
     * @return one outcome per change, in batch order
     */
    public BatchOutcome outcome(long delta) {
        List<ChangeOutcome> outcomes = new ArrayList<>(decisions.size());
        for (Decision decision : decisions) {
            String id = decision.change().changeId();
            outcomes.add(switch (decision.status()) {
                case APPLIED -> ChangeOutcome.applied(id, decision.sequence() + delta, decision.state().rebased(delta),
                        decision.overridesLater(), decision.replaced() == null ? 0 : decision.replaced().rebased(delta).lastSequence());
                case SUPERSEDED -> ChangeOutcome.superseded(id, decision.state().rebased(delta));
                case REJECTED -> decision.state() == null ? ChangeOutcome.rejected(id, decision.code(), decision.reason())
                        : new ChangeOutcome(id, ChangeStatus.REJECTED, 0, decision.state().rebased(delta), decision.code(),
                                decision.reason(), false);
                case DUPLICATE -> ChangeOutcome.duplicate(id);
            });
        }
        return new BatchOutcome(outcomes, base + delta, base + delta + applied);
    }

    /**
     * One applied change as the feed carries it: the winning image, the pushed change's id, HLC and device.
     * A view over the plan (no row image is copied), for stores that encode the feed themselves.
     */
    public record FeedEntry(Change pushed, Op op, Map<String, @Nullable Object> row) {
        /**
         * The changed columns an UPDATE carries; empty for INSERT and DELETE.
         *
         * @return the columns
         */
        public List<String> changedColumns() {
            return op == Op.UPDATE ? pushed.changedColumns() : List.of();
        }

        /**
         * This entry as a change.
         *
         * @return the change, with the winning image
         */
        public Change toChange() {
            return new Change(pushed.changeId(), pushed.table(), pushed.globalId(), op, row, changedColumns(), pushed.hlc(),
                    pushed.deviceId());
        }
    }

    /**
     * The applied changes in sequence order, as {@link FeedEntry feed entries}.
     *
     * @return the entries
     */
    public List<FeedEntry> feedEntries() {
        List<FeedEntry> entries = new ArrayList<>((int) applied);
        for (Decision decision : decisions) {
            if (decision.status() == ChangeStatus.APPLIED) {
                RowState state = decision.state().state();
                Op op = state.deleted() ? Op.DELETE : decision.born() ? Op.INSERT : Op.UPDATE;
                entries.add(new FeedEntry(decision.change(), op, state.row()));
            }
        }
        return entries;
    }

    /**
     * The applied changes as the feed carries them: the winning image, the pushed change's id, HLC and device.
     * {@code delta} is accepted for symmetry with {@link #outcome(long)}; a change carries no sequence.
     *
     * @param delta ignored
     * @return the changes, in sequence order
     */
    public List<Change> feedChanges(long delta) {
        List<FeedEntry> entries = feedEntries();
        List<Change> changes = new ArrayList<>(entries.size());
        for (FeedEntry entry : entries) {
            changes.add(entry.toChange());
        }
        return changes;
    }
}
