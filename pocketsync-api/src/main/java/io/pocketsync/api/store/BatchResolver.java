package io.pocketsync.api.store;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.conflict.Resolution;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.protocol.ChangeStatus;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Applies the rules of {@link BatchPlan} (its class comment states them) to one batch, change by change, and fills
 * the plan with the decisions: the plan is what was decided, this is how. Split out of {@code BatchPlan}.
 *
 * <p>Not thread-safe; one per {@link BatchPlan#resolve}.
 */
final class BatchResolver {
    private final BatchPlan plan;
    private final Function<String, ConflictResolver> resolvers;
    private final Function<RowKey, @Nullable RowState> load;

    BatchResolver(BatchPlan plan, Function<String, ConflictResolver> resolvers, Function<RowKey, @Nullable RowState> load) {
        this.plan = plan;
        this.resolvers = resolvers;
        this.load = load;
    }

    /** Decides every change in push order: a repeated or already processed id is DUPLICATE. */
    void resolve(List<Change> changes, Predicate<String> processed) {
        Set<String> seen = new HashSet<>();
        for (Change change : changes) {
            Objects.requireNonNull(change, "change is null");
            if (!seen.add(change.changeId()) || processed.test(change.changeId())) {
                plan.decisions.add(new BatchPlan.Decision(change, ChangeStatus.DUPLICATE, 0, null, null, null, false, false));
                continue;
            }
            decide(change);
        }
    }

    private void decide(Change change) {
        RowKey key = RowKey.of(change);
        BatchPlan.Planned current = plan.rows.get(key);
        if (current == null) {
            @Nullable RowState stored = stored(key);
            current = stored == null ? null : new BatchPlan.Planned(stored, false, false);
        }
        Resolution resolution = resolveOne(current == null ? null : current.state(),
                PartialImages.complete(change, current == null ? null : current.state()));
        plan.processedIds.add(change.changeId());
        if (resolution instanceof Resolution.Apply apply) {
            RowState state = apply.state();
            if (!state.table().equals(change.table()) || !state.globalId().equals(change.globalId())) {
                throw new PocketSyncException(ErrorCode.INTERNAL,
                        "conflict resolver for table " + change.table() + " returned a state of another row");
            }
            UniqueClaims.Conflict conflict = plan.claims.claim(change, current == null ? null : current.state(), state,
                    other -> plan.rows.containsKey(other) ? plan.rows.get(other).state() : stored(other));
            if (conflict != null) {
                resolution = new Resolution.Reject(ErrorCode.UNIQUE_CONFLICT, conflict.reason());
            }
        }
        if (resolution instanceof Resolution.Apply apply) {
            RowState state = apply.state();
            long sequence = plan.base + ++plan.applied;
            // the outcome reports the replaced state's sequence (an earlier change of this batch, a stored state or
            // tombstone, 0 for none): a device past it need not record this one (protocol.md 3.3)
            // firstSequence is the change that FIRST created the row and survives delete/recreate: catch-up
            // drops a tombstone only when firstSequence > cursor, which must mean "unknown to the device".
            boolean created = current == null;
            boolean born = !state.deleted() && (current == null || current.state().deleted());
            long first = created ? sequence : current.state().firstSequence();
            BatchPlan.Planned planned = new BatchPlan.Planned(state.withSequences(first, sequence), true,
                    created || current.firstAssigned());
            plan.rows.put(key, planned);
            plan.decisions.add(new BatchPlan.Decision(change, ChangeStatus.APPLIED, sequence, planned, null, null, born,
                    apply.overridesLater(), current));
        }
        else if (resolution instanceof Resolution.Supersede && current != null) {
            plan.decisions.add(new BatchPlan.Decision(change, ChangeStatus.SUPERSEDED, 0, current, null, null, false, false));
            plan.audits.add(new BatchPlan.PendingAudit(ChangeStatus.SUPERSEDED, change, current.state().lastChangeId(), null, null));
        }
        else {
            Resolution.Reject reject = resolution instanceof Resolution.Reject r ? r
                    : new Resolution.Reject(ErrorCode.RESOLVER_REJECTED, "the server has no row to prefer over this change");
            // a unique conflict or a write to a read-only scope names the stored row, so that the origin can put it back
            // in place of its refused edit
            BatchPlan.Planned stored = reject.code() == ErrorCode.UNIQUE_CONFLICT || reject.code() == ErrorCode.SCOPE_READ_ONLY ? current : null;
            plan.decisions.add(new BatchPlan.Decision(change, ChangeStatus.REJECTED, 0, stored, reject.code(), reject.reason(), false, false));
            plan.audits.add(new BatchPlan.PendingAudit(ChangeStatus.REJECTED, change, null, reject.code(), reject.reason()));
        }
    }

    private @Nullable RowState stored(RowKey key) {
        if (plan.loaded.containsKey(key)) {
            return plan.loaded.get(key);
        }
        @Nullable RowState stored = load.apply(key);
        plan.loaded.put(key, stored);
        return stored;
    }

    private Resolution resolveOne(@Nullable RowState current, Change change) {
        Resolution resolution;
        try {
            ConflictResolver resolver = resolvers.apply(change.table());
            if (resolver == null) {
                throw new PocketSyncException(ErrorCode.INTERNAL, "no conflict resolver for table " + change.table());
            }
            resolution = resolver.resolve(current, change);
        }
        catch (PocketSyncException e) {
            throw e;
        }
        catch (RuntimeException e) {
            throw new PocketSyncException(ErrorCode.INTERNAL,
                    "conflict resolver failed on change " + change.changeId() + "; nothing of the batch was stored", e);
        }
        if (resolution == null) {
            throw new PocketSyncException(ErrorCode.INTERNAL, "conflict resolver returned null for change " + change.changeId());
        }
        return resolution;
    }
}
