package io.pocketsync.server.engine.conflict;

import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.conflict.Resolution;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.RowState;

/**
 * The stored state wins every conflict. An incoming change applies only when the server has no state
 * for the row, or when the stored state was written by the same device and the incoming change is
 * later (a device continuing its own edits); anything else is SUPERSEDED and the device receives the
 * stored row. In effect, the first device to write a row owns it until an operator or a server-side
 * process changes it. A tombstone is stored state too: once a device deleted a row, another device
 * cannot resurrect it. Not commutative.
 *
 * <p>Stateless and thread-safe.
 */
public final class ServerWinsResolver implements ConflictResolver {
    /**
     * The provider name, {@value}, as {@code resolver.default} and {@code resolver.table.<table>} select it.
     */
    public static final String NAME = "server-wins";

    @Override
    public Resolution resolve(RowState current, Change incoming) {
        if (current == null) {
            return Resolution.applyIncoming(current, incoming);
        }
        if (current.version().deviceId().equals(incoming.deviceId()) && incoming.version().isAfter(current.version())) {
            return Resolution.applyIncoming(current, incoming);
        }
        return Resolution.supersede();
    }

    @Override
    public String toString() {
        return NAME;
    }
}
