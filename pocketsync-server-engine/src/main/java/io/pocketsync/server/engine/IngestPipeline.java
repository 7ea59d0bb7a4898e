package io.pocketsync.server.engine;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.Identifiers;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.conflict.Resolution;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Rows;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Push;
import io.pocketsync.api.store.BatchOutcome;
import io.pocketsync.api.store.ChangeOutcome;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PUSH → ACK: checks the batch and each change, hands the valid ones to the store (which dedupes,
 * resolves with the table's resolver, persists and numbers them atomically), merges their clocks, and
 * answers with one result per pushed change, in push order, only after the store returned.
 *
 * <p>Changes refused for their shape (identifiers, origin, size) are answered REJECTED without
 * reaching the store: they are not safe to store. Well-formed changes refused for clock skew go through
 * the store with a refusing resolver, so they are recorded in the scope's audit log (and a re-send is
 * a DUPLICATE) like every other rejection. So are all changes of a read-only session: refused with
 * {@code SCOPE_READ_ONLY} and the stored row as the winner the device writes back; a re-sent one is answered the same
 * (not DUPLICATE), so a device whose first ACK was lost still reverts.
 *
 * <p>Stateless and thread-safe.
 */
final class IngestPipeline {
    private static final Logger LOG = LoggerFactory.getLogger(IngestPipeline.class);

    private final ServerServices services;
    private final ChangeValidator validator;

    IngestPipeline(ServerServices services, Clock clock) {
        this.services = requireNonNull(services, "services is null");
        this.validator = new ChangeValidator(services.options(), clock);
    }

    void push(Session session, Push push) {
        long startNanos = System.nanoTime();
        ServerOptions options = services.options();
        Scope scope = session.scope();
        if (!Identifiers.isChangeId(push.batchId())) {
            session.sendError(ErrorCode.IDENTIFIER_INVALID, "invalid batch id", null);
            return;
        }
        String batchId = push.batchId();
        if (push.changes().isEmpty()) {
            session.sendError(ErrorCode.INVALID_FIELD, "a PUSH needs at least one change", batchId);
            return;
        }
        if (push.changes().size() > options.maxBatchChanges()) {
            session.sendError(ErrorCode.BATCH_TOO_LARGE, "a PUSH may hold at most " + options.maxBatchChanges()
                    + " changes, got " + push.changes().size(), batchId);
            return;
        }
        // no size check here: the transport bounded the encoded bytes exactly, and each row is checked against
        // max-row-bytes (ChangeValidator), so one big row alone in its PUSH is taken

        ChangeResult[] results = new ChangeResult[push.changes().size()];
        List<Change> toStore = new ArrayList<>();
        List<Integer> storedIndex = new ArrayList<>();
        Map<String, ChangeValidator.Verdict> skewed = new HashMap<>();
        for (int i = 0; i < push.changes().size(); i++) {
            Change pushed = push.changes().get(i);
            ChangeValidator.Verdict verdict = session.tables().includes(pushed.table())
                    ? validator.check(pushed, session.deviceId())
                    // a subscription is both ways: a device writes only the tables it receives (docs/protocol.md 3.8)
                    : new ChangeValidator.Verdict(pushed, ErrorCode.TABLE_NOT_SUBSCRIBED, "table '" + pushed.table()
                            + "' is not among the tables this session subscribed to");
            if (verdict.valid() || verdict.code() == ErrorCode.CLOCK_SKEW) {
                toStore.add(verdict.change());
                storedIndex.add(i);
                if (!verdict.valid()) {
                    skewed.put(verdict.change().changeId(), verdict);
                }
                else {
                    mergeClock(verdict.change());
                }
            }
            else {
                results[i] = ChangeResult.rejected(push.changes().get(i).changeId(), verdict.code(), verdict.reason());
                services.listener().changeRejected(scope, verdict.code());
                LOG.debug("session {} batch {}: change rejected {}: {}", session.id(), batchId, verdict.code(), verdict.reason());
            }
        }

        if (!toStore.isEmpty()) {
            BatchOutcome outcome;
            try {
                Function<String, ConflictResolver> resolvers = session.readOnly() ? REFUSING_READ_ONLY : resolversRefusing(skewed);
                outcome = services.timed("apply", () -> services.store().apply(scope, toStore, resolvers));
            }
            catch (PocketSyncException e) {
                ErrorCode code = e.code() == ErrorCode.STORE_UNAVAILABLE ? e.code() : ErrorCode.INTERNAL;
                LOG.warn("session {} batch {} not stored: {} {}", session.id(), batchId, e.code(), e.getMessage());
                // a store's own failure says why (a full disk, Redis out of memory), which the device's log then shows
                session.sendError(code, code == ErrorCode.STORE_UNAVAILABLE ? "batch not stored; retry later: " + e.getMessage()
                        : "batch not stored; retry later", batchId);
                return;
            }
            catch (RuntimeException e) {
                LOG.error("session {} batch {} failed", session.id(), batchId, e);
                session.sendError(ErrorCode.INTERNAL, "batch not stored; retry later", batchId);
                return;
            }
            if (outcome.outcomes().size() != toStore.size()) {
                LOG.error("store answered {} outcomes for {} changes", outcome.outcomes().size(), toStore.size());
                session.sendError(ErrorCode.INTERNAL, "store answered inconsistently", batchId);
                return;
            }
            report(scope, outcome);
            try {
                for (int j = 0; j < toStore.size(); j++) {
                    results[storedIndex.get(j)] = session.readOnly() && outcome.outcomes().get(j).status() == ChangeStatus.DUPLICATE
                            ? readOnlyDuplicate(scope, toStore.get(j))
                            : result(scope, toStore.get(j), outcome.outcomes().get(j));
                }
            }
            catch (PocketSyncException e) {
                // the batch is stored (a re-send is all DUPLICATE), but a duplicate's answer could not be built
                LOG.warn("session {} batch {} stored but not answered: {} {}", session.id(), batchId, e.code(), e.getMessage());
                session.sendError(ErrorCode.STORE_UNAVAILABLE, "batch stored but not answered; send it again", batchId);
                return;
            }
        }
        logRejected(session, batchId, push, results);
        session.send(push.bulk() ? BulkAnswer.compact(batchId, results, services.hlc().now(), services.clock().millis())
                : new Ack(ProtocolVersion.CURRENT, batchId, List.of(results), services.hlc().now(), services.clock().millis()));
        services.listener().pushAnswered(scope, push.changes().size(), java.time.Duration.ofNanos(System.nanoTime() - startNanos));
    }

    /** One INFO line per batch with rejected changes: how many, and the first one's reason (rows stay out of logs). */
    private static void logRejected(Session session, String batchId, Push push, ChangeResult[] results) {
        int rejected = 0;
        ChangeResult first = null;
        int firstIndex = -1;
        for (int i = 0; i < results.length; i++) {
            if (results[i] != null && results[i].status() == ChangeStatus.REJECTED) {
                if (rejected++ == 0) {
                    first = results[i];
                    firstIndex = i;
                }
            }
        }
        if (first != null) {
            LOG.info("rejected {} of {} change(s) of device {} in scope {} (batch {}); first: {} on table {}: {}", rejected,
                    results.length, session.deviceId(), session.scope(), batchId, first.errorCode(),
                    push.changes().get(firstIndex).table(), first.message());
        }
    }

    /**
     * Stores one change an operator sends again (the admin API's retry of a rejected change) with the checks and
     * resolvers a PUSH gets; no session, no ACK. Its broadcast goes out through the store's feed like any batch.
     *
     * @return the store's outcome, or REJECTED with the code when the change is refused before the store
     * @throws PocketSyncException STORE_UNAVAILABLE when nothing was stored
     */
    ChangeOutcome resubmit(Scope scope, Change change) {
        ChangeValidator.Verdict verdict = validator.check(change, change.deviceId());
        if (!verdict.valid() && verdict.code() != ErrorCode.CLOCK_SKEW) {
            services.listener().changeRejected(scope, verdict.code());
            return ChangeOutcome.rejected(change.changeId(), verdict.code(), verdict.reason());
        }
        Map<String, ChangeValidator.Verdict> skewed = verdict.valid() ? Map.of() : Map.of(change.changeId(), verdict);
        if (verdict.valid()) {
            mergeClock(verdict.change());
        }
        BatchOutcome outcome = services.timed("apply", () -> services.store().apply(scope, List.of(verdict.change()),
                resolversRefusing(skewed)));
        report(scope, outcome);
        return outcome.outcomes().get(0);
    }

    private void mergeClock(Change change) {
        try {
            services.hlc().receive(change.hlc());
        }
        catch (PocketSyncException e) {
            // only at the exact skew boundary; the change was valid when checked, its clock is just not merged
        }
    }

    private static final String READ_ONLY_REASON = "this device may only read scope data; the server's row stands";

    /**
     * Every change of a read-only session: refused, audited, and answered with the stored row (BatchPlan keeps it for
     * this code), which the device writes back over its local edit.
     */
    private static final Function<String, ConflictResolver> REFUSING_READ_ONLY = table -> (current, incoming) ->
            Resolution.reject(ErrorCode.SCOPE_READ_ONLY, READ_ONLY_REASON);

    /**
     * A change of a read-only session the store had seen: sent again after a lost ACK. Refused again with the stored
     * row, so that the device reverts it rather than taking it as stored.
     *
     * @throws PocketSyncException STORE_UNAVAILABLE when the row cannot be read
     */
    private ChangeResult readOnlyDuplicate(Scope scope, Change pushed) {
        RowState stored = storedRow(scope, pushed);
        return stored == null ? ChangeResult.rejected(pushed.changeId(), ErrorCode.SCOPE_READ_ONLY, READ_ONLY_REASON)
                : new ChangeResult(pushed.changeId(), ChangeStatus.REJECTED, stored.lastSequence(), winner(stored),
                        ErrorCode.SCOPE_READ_ONLY, READ_ONLY_REASON);
    }

    /**
     * The stored state of a re-sent change's row, for its answer.
     *
     * @throws PocketSyncException STORE_UNAVAILABLE when the row cannot be read
     */
    private RowState storedRow(Scope scope, Change pushed) {
        try {
            return services.timed("row", () -> services.store().row(scope, pushed.table(), pushed.globalId())).orElse(null);
        }
        catch (RuntimeException e) {
            throw new PocketSyncException(ErrorCode.STORE_UNAVAILABLE, "reading row " + pushed.globalId() + " for a duplicate failed: "
                    + e, e);
        }
    }

    /** The table resolvers, refusing the clock-skewed changes (so they are audited and a re-send is a DUPLICATE). */
    private Function<String, ConflictResolver> resolversRefusing(Map<String, ChangeValidator.Verdict> refused) {
        return table -> {
            ConflictResolver resolver = services.resolvers().forTable(table);
            return (current, incoming) -> {
                ChangeValidator.Verdict verdict = refused.get(incoming.changeId());
                return verdict != null ? Resolution.reject(verdict.code(), verdict.reason())
                        : resolver.resolve(current, incoming);
            };
        };
    }

    /**
     * The ACK result of a stored change. An APPLIED change carries the stored row as its winner when the row is
     * not exactly the pushed image (a merge) or when the resolver applied it over a stored row that was not
     * older ({@code overridesLater}): a device applies such a stored row over its own pending change
     * (protocol.md 3.2), so it must be sent the result to write back. Both facts come from the outcome, which
     * the store built from the resolution it kept, however often it called the resolver. It also says the sequence
     * of the state the change replaced ({@code prev}) when the store did.
     */
    private ChangeResult result(Scope scope, Change pushed, ChangeOutcome outcome) {
        switch (outcome.status()) {
            case APPLIED: {
                RowState state = outcome.state();
                // prev: the replaced state's sequence, so that a device past it records nothing (protocol.md 3.2)
                Change merged = state == null || (asPushed(state, pushed) && !outcome.overridesLater()) ? null : winner(state);
                return new ChangeResult(pushed.changeId(), ChangeStatus.APPLIED, outcome.sequence(), merged, null, null,
                        outcome.previous());
            }
            case SUPERSEDED:
                return ChangeResult.superseded(pushed.changeId(), winner(outcome.state()), outcome.state().lastSequence());
            case REJECTED:
                if (outcome.state() != null) {
                    // UNIQUE_CONFLICT of a stored row: the device writes the stored state back over its refused edit
                    return new ChangeResult(pushed.changeId(), ChangeStatus.REJECTED, outcome.state().lastSequence(),
                            winner(outcome.state()), outcome.errorCode(), outcome.reason());
                }
                return ChangeResult.rejected(pushed.changeId(),
                        outcome.errorCode() == null ? ErrorCode.RESOLVER_REJECTED : outcome.errorCode(), outcome.reason());
            default:
                return duplicate(scope, pushed);
        }
    }

    /**
     * A re-sent change: its first ACK may have been lost, or (several server nodes) another node answered it.
     * When the stored row is no longer exactly this change, the stored row is the winner the device must
     * write (the change was superseded, merged, or overwritten since), so a lost ACK still converges.
     *
     * <p>The answer carries the stored row's sequence, which the device records as that of the state it holds.
     * Without it the device would take the change as not stored and write a remote change it had deferred for
     * it (right after a REJECTED, wrong here), so a row that cannot be read fails the answer, and the device
     * sends the batch again.
     *
     * @throws PocketSyncException STORE_UNAVAILABLE when the row cannot be read
     */
    private ChangeResult duplicate(Scope scope, Change pushed) {
        RowState stored = storedRow(scope, pushed);
        if (stored == null) {
            if (!pushed.isDelete() && !pushed.uniqueKeys().isEmpty()) {
                // a row with unique claims that the store never kept was refused when first sent, most likely for a held
                // value: said again, so that a device whose first ACK was lost moves the row out instead of keeping it
                return ChangeResult.rejected(pushed.changeId(), ErrorCode.UNIQUE_CONFLICT, "this change was refused when"
                        + " first sent and its row is not on the server (see the audit log for the reason)");
            }
            // never stored as a row (the change was rejected): nothing the device could hold instead
            return ChangeResult.duplicate(pushed.changeId());
        }
        // the stored row's sequence either way: the device records it as the sequence of the state it holds
        if (stored.version().equals(pushed.version()) && asPushed(stored, pushed)) {
            return new ChangeResult(pushed.changeId(), ChangeStatus.DUPLICATE, stored.lastSequence(), null, null, null);
        }
        return new ChangeResult(pushed.changeId(), ChangeStatus.DUPLICATE, stored.lastSequence(), winner(stored), null, null);
    }

    private static boolean asPushed(RowState state, Change pushed) {
        return state.deleted() == pushed.isDelete() && Rows.rowEquals(state.row(), pushed.row());
    }

    /** The stored state as a change the device applies (UPDATE, or DELETE for a tombstone). */
    private static Change winner(RowState state) {
        return state.toChange(state.firstSequence());
    }

    private void report(Scope scope, BatchOutcome outcome) {
        int applied = 0;
        int duplicate = 0;
        int superseded = 0;
        for (ChangeOutcome change : outcome.outcomes()) {
            if (change.status() == ChangeStatus.APPLIED) {
                applied++;
            }
            else if (change.status() == ChangeStatus.DUPLICATE) {
                duplicate++;
            }
            else if (change.status() == ChangeStatus.SUPERSEDED) {
                superseded++;
            }
            else {
                services.listener().changeRejected(scope, change.errorCode() == null ? ErrorCode.RESOLVER_REJECTED : change.errorCode());
            }
        }
        if (applied > 0) {
            services.listener().changesApplied(scope, applied);
        }
        if (duplicate > 0) {
            services.listener().changesDuplicate(scope, duplicate);
        }
        if (superseded > 0) {
            services.listener().changesSuperseded(scope, superseded);
        }
    }
}
