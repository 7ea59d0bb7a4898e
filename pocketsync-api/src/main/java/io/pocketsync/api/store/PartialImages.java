package io.pocketsync.api.store;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.RowState;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The missing-column rule (protocol.md 2.1): a column absent from a change's row image is unchanged, never NULL.
 *
 * <p>A device on an older app version has fewer columns than the server has seen, and a third-party client may send
 * only some columns. Stored as sent, such an image would drop the columns it lacks from the row: every device would
 * then read NULL there, or keep its own value and diverge. So before a change is resolved, its image is completed
 * with the stored row's values of the columns it lacks; resolvers, the stored state, broadcasts and catch-up all see
 * whole rows.
 */
final class PartialImages {
    private PartialImages() {}

    /**
     * {@code change} with the columns of {@code stored} that its image lacks; {@code change} itself when it lacks none
     * (or is a delete, or there is no live stored row).
     *
     * @param change the pushed change
     * @param stored the row's current state, or null
     * @return the completed change
     */
    static Change complete(Change change, @Nullable RowState stored) {
        if (change.op() == Op.DELETE || stored == null || stored.deleted() || change.row().keySet().containsAll(stored.row().keySet())) {
            return change;
        }
        Map<String, @Nullable Object> row = new LinkedHashMap<>(change.row());
        for (Map.Entry<String, @Nullable Object> column : stored.row().entrySet()) {
            if (!row.containsKey(column.getKey())) { // not putIfAbsent: a NULL the change sends is a value
                row.put(column.getKey(), column.getValue());
            }
        }
        return new Change(change.changeId(), change.table(), change.globalId(), change.op(), row, change.changedColumns(),
                change.hlc(), change.deviceId());
    }
}
