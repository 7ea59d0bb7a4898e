package io.pocketsync.server.engine.conflict;

import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.conflict.Resolution;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.RowState;

/**
 * Whole-row last-write-wins by {@link io.pocketsync.api.model.Version} (HLC, then device id).
 *
 * <p>A delete is an ordinary event: it wins when it is the latest write, and a later update or insert
 * resurrects the row with its full image. Two different changes never tie (their device ids or HLCs
 * differ), and an incoming change with exactly the stored version is the stored change itself, which
 * loses (nothing to do). Commutative: the final state is the image of the change with the greatest
 * version, whatever the arrival order.
 *
 * <p>Stateless and thread-safe.
 */
public final class LastWriteWinsResolver implements ConflictResolver {
    /**
     * The provider name, {@value}, as {@code resolver.default} and {@code resolver.table.<table>} select it.
     */
    public static final String NAME = "last-write-wins";

    @Override
    public Resolution resolve(RowState current, Change incoming) {
        if (current == null || incoming.version().isAfter(current.version())) {
            return Resolution.applyIncoming(current, incoming);
        }
        return Resolution.supersede();
    }

    @Override
    public boolean commutative() {
        return true;
    }

    @Override
    public String toString() {
        return NAME;
    }
}
