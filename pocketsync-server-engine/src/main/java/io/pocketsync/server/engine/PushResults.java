package io.pocketsync.server.engine;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Rows;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.store.ChangeOutcome;

/**
 * The ACK result of each stored change of a PUSH ({@link IngestPipeline}): what the store's outcome says, with the stored
 * row as the winner where the device must write it back, and for a re-sent change the row as it is stored now.
 * Stateless and thread-safe.
 */
final class PushResults {
    /** The reason every change of a read-only session is refused with. */
    static final String READ_ONLY_REASON = "this device may only read scope data; the server's row stands";

    private final ServerServices services;

    PushResults(ServerServices services) {
        this.services = requireNonNull(services, "services is null");
    }

    /**
     * A change of a read-only session the store had seen: sent again after a lost ACK. Refused again with the stored
     * row, so that the device reverts it rather than taking it as stored.
     *
     * @throws PocketSyncException STORE_UNAVAILABLE when the row cannot be read
     */
    ChangeResult readOnlyDuplicate(Scope scope, Change pushed) {
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

    /**
     * The ACK result of a stored change. An APPLIED change carries the stored row as its winner when the row is
     * not exactly the pushed image (a merge) or when the resolver applied it over a stored row that was not
     * older ({@code overridesLater}): a device applies such a stored row over its own pending change
     * (protocol.md 3.2), so it must be sent the result to write back. Both facts come from the outcome, which
     * the store built from the resolution it kept, however often it called the resolver. It also says the sequence
     * of the state the change replaced ({@code prev}) when the store did.
     */
    ChangeResult result(Scope scope, Change pushed, ChangeOutcome outcome) {
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

}
