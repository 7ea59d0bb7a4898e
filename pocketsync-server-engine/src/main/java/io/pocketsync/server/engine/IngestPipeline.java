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
    private final PushResults answers;

    IngestPipeline(ServerServices services, Clock clock) {
        this.services = requireNonNull(services, "services is null");
        this.validator = new ChangeValidator(services.options(), clock);
        this.answers = new PushResults(services);
    }

    void push(Session session, Push push) {
        pushAll(session, List.of(push));
    }

    /**
     * PUSHes of one session that came one after another (bulk pages, see {@link Session}): each checked and answered as
     * {@link #push} does, the valid changes of all of them stored in one store batch (one transaction, one commit). The
     * store numbers a batch's applied changes consecutively in push order, so the applied changes of each PUSH still
     * hold sequences no other PUSH's changes lie between (the range of its compact ACK, protocol.md 3.2a). A failed
     * store call is answered with an ERROR to each of them.
     */
    void pushAll(Session session, List<Push> pushes) {
        Scope scope = session.scope();
        List<Checked> checked = new ArrayList<>(pushes.size());
        List<Change> toStore = new ArrayList<>();
        Map<String, ChangeValidator.Verdict> skewed = new HashMap<>();
        for (Push push : pushes) {
            Checked one = check(session, push);
            if (one != null) {
                checked.add(one);
                toStore.addAll(one.toStore);
                skewed.putAll(one.skewed);
            }
        }
        if (!toStore.isEmpty()) {
            BatchOutcome outcome = store(session, checked, toStore, skewed);
            if (outcome == null) {
                return;
            }
            report(scope, outcome);
            int offset = 0;
            for (Checked one : checked) {
                one.answerable = results(session, one, outcome.outcomes().subList(offset, offset + one.toStore.size()));
                offset += one.toStore.size();
            }
        }
        for (Checked one : checked) {
            if (one.answerable) {
                logRejected(session, one.push.batchId(), one.push, one.results);
                session.send(one.push.bulk() ? BulkAnswer.compact(one.push.batchId(), one.results, services.hlc().now(),
                        services.clock().millis())
                        : new Ack(ProtocolVersion.CURRENT, one.push.batchId(), List.of(one.results), services.hlc().now(),
                                services.clock().millis()));
                services.listener().pushAnswered(scope, one.push.changes().size(),
                        java.time.Duration.ofNanos(System.nanoTime() - one.startNanos));
            }
        }
    }

    /** A PUSH checked: the results of the changes refused before the store, and the changes to store. */
    private static final class Checked {
        final Push push;
        final long startNanos = System.nanoTime();
        final ChangeResult[] results;
        final List<Change> toStore = new ArrayList<>();
        final List<Integer> storedIndex = new ArrayList<>();
        final Map<String, ChangeValidator.Verdict> skewed = new HashMap<>();
        boolean answerable = true;

        Checked(Push push) {
            this.push = push;
            this.results = new ChangeResult[push.changes().size()];
        }
    }

    /** Checks the batch and each change; null when the batch itself is refused (an ERROR is sent). */
    private Checked check(Session session, Push push) {
        ServerOptions options = services.options();
        Scope scope = session.scope();
        if (!Identifiers.isChangeId(push.batchId())) {
            session.sendError(ErrorCode.IDENTIFIER_INVALID, "invalid batch id", null);
            return null;
        }
        String batchId = push.batchId();
        if (push.changes().isEmpty()) {
            session.sendError(ErrorCode.INVALID_FIELD, "a PUSH needs at least one change", batchId);
            return null;
        }
        if (push.changes().size() > options.maxBatchChanges()) {
            session.sendError(ErrorCode.BATCH_TOO_LARGE, "a PUSH may hold at most " + options.maxBatchChanges()
                    + " changes, got " + push.changes().size(), batchId);
            return null;
        }
        // no size check here: the transport bounded the encoded bytes exactly, and each row is checked against
        // max-row-bytes (ChangeValidator), so one big row alone in its PUSH is taken
        Checked checked = new Checked(push);
        for (int i = 0; i < push.changes().size(); i++) {
            Change pushed = push.changes().get(i);
            ChangeValidator.Verdict verdict = session.tables().includes(pushed.table())
                    ? validator.check(pushed, session.deviceId())
                    // a subscription is both ways: a device writes only the tables it receives (docs/protocol.md 3.8)
                    : new ChangeValidator.Verdict(pushed, ErrorCode.TABLE_NOT_SUBSCRIBED, "table '" + pushed.table()
                            + "' is not among the tables this session subscribed to");
            if (verdict.valid() || verdict.code() == ErrorCode.CLOCK_SKEW) {
                checked.toStore.add(verdict.change());
                checked.storedIndex.add(i);
                if (!verdict.valid()) {
                    checked.skewed.put(verdict.change().changeId(), verdict);
                }
                else {
                    mergeClock(verdict.change());
                }
            }
            else {
                checked.results[i] = ChangeResult.rejected(pushed.changeId(), verdict.code(), verdict.reason());
                services.listener().changeRejected(scope, verdict.code());
                LOG.debug("session {} batch {}: change rejected {}: {}", session.id(), batchId, verdict.code(), verdict.reason());
            }
        }
        return checked;
    }

    /** Stores the changes of the checked PUSHes in one batch; null when it failed (an ERROR is sent for each PUSH). */
    private BatchOutcome store(Session session, List<Checked> checked, List<Change> toStore,
            Map<String, ChangeValidator.Verdict> skewed) {
        Scope scope = session.scope();
        BatchOutcome outcome;
        try {
            Function<String, ConflictResolver> resolvers = session.readOnly() ? REFUSING_READ_ONLY : resolversRefusing(skewed);
            outcome = services.timed("apply", () -> services.store().apply(scope, toStore, resolvers));
        }
        catch (PocketSyncException e) {
            ErrorCode code = e.code() == ErrorCode.STORE_UNAVAILABLE ? e.code() : ErrorCode.INTERNAL;
            for (Checked one : checked) {
                LOG.warn("session {} batch {} not stored: {} {}", session.id(), one.push.batchId(), e.code(), e.getMessage());
                // a store's own failure says why (a full disk, Redis out of memory), which the device's log then shows
                session.sendError(code, code == ErrorCode.STORE_UNAVAILABLE ? "batch not stored; retry later: " + e.getMessage()
                        : "batch not stored; retry later", one.push.batchId());
            }
            return null;
        }
        catch (RuntimeException e) {
            for (Checked one : checked) {
                LOG.error("session {} batch {} failed", session.id(), one.push.batchId(), e);
                session.sendError(ErrorCode.INTERNAL, "batch not stored; retry later", one.push.batchId());
            }
            return null;
        }
        if (outcome.outcomes().size() != toStore.size()) {
            LOG.error("store answered {} outcomes for {} changes", outcome.outcomes().size(), toStore.size());
            for (Checked one : checked) {
                session.sendError(ErrorCode.INTERNAL, "store answered inconsistently", one.push.batchId());
            }
            return null;
        }
        return outcome;
    }

    /** Fills the results of a PUSH's stored changes; false when they could not be built (an ERROR is sent). */
    private boolean results(Session session, Checked one, List<ChangeOutcome> outcomes) {
        Scope scope = session.scope();
        try {
            for (int j = 0; j < one.toStore.size(); j++) {
                one.results[one.storedIndex.get(j)] = session.readOnly() && outcomes.get(j).status() == ChangeStatus.DUPLICATE
                        ? answers.readOnlyDuplicate(scope, one.toStore.get(j))
                        : answers.result(scope, one.toStore.get(j), outcomes.get(j));
            }
            return true;
        }
        catch (PocketSyncException e) {
            // the batch is stored (a re-send is all DUPLICATE), but a duplicate's answer could not be built
            LOG.warn("session {} batch {} stored but not answered: {} {}", session.id(), one.push.batchId(), e.code(), e.getMessage());
            session.sendError(ErrorCode.STORE_UNAVAILABLE, "batch stored but not answered; send it again", one.push.batchId());
            return false;
        }
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

    /**
     * Every change of a read-only session: refused, audited, and answered with the stored row (BatchPlan keeps it for
     * this code), which the device writes back over its local edit.
     */
    private static final Function<String, ConflictResolver> REFUSING_READ_ONLY = table -> (current, incoming) ->
            Resolution.reject(ErrorCode.SCOPE_READ_ONLY, PushResults.READ_ONLY_REASON);

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
