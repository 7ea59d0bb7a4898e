package io.pocketsync.server.engine.conflict;

import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.conflict.Resolution;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.RowState;

/**
 * The incoming change always applies, whole row, whatever its clock says: the last change to reach the
 * server wins. Useful when devices are the source of truth and arrival order is meaningful (one writer
 * per row). Not commutative.
 *
 * <p>Stateless and thread-safe.
 */
public final class ClientWinsResolver implements ConflictResolver {
    /**
     * The provider name, {@value}, as {@code resolver.default} and {@code resolver.table.<table>} select it.
     */
    public static final String NAME = "client-wins";

    @Override
    public Resolution resolve(RowState current, Change incoming) {
        return Resolution.applyIncoming(current, incoming);
    }

    @Override
    public String toString() {
        return NAME;
    }
}
