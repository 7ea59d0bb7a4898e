package io.pocketsync.examples.resolver;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.conflict.Resolution;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.RowState;
import java.util.Comparator;
import java.util.Map;

/**
 * For counters that only grow (page views, a high score, a firmware build number): the row whose
 * counter column is larger wins, whichever device wrote it and whenever it arrives. Two writes of
 * the same value are ordered by their {@link io.pocketsync.api.model.Version} (HLC, then device id),
 * so every server node decides the same way.
 *
 * <p>Deletes are ordinary last-write-wins events: a delete later than the stored write removes the
 * row, and a write later than the tombstone brings it back. A row whose counter is missing or not an
 * integer counts as smaller than any integer.
 *
 * <p>Immutable and thread-safe; pure (no clock, no I/O), as the {@link ConflictResolver} contract requires.
 */
public final class MaxCounterResolver implements ConflictResolver {
    private final String column;

    /** @param column the counter column, e.g. {@code value} */
    public MaxCounterResolver(String column) {
        this.column = requireNonNull(column, "column is null");
    }

    @Override
    public Resolution resolve(RowState current, Change incoming) {
        if (current == null) {
            return Resolution.applyIncoming(current, incoming);
        }
        if (current.deleted() || incoming.isDelete()) {
            return incoming.version().isAfter(current.version())
                    ? Resolution.applyIncoming(current, incoming) : Resolution.supersede();
        }
        int order = Comparator.<Long>nullsFirst(Comparator.naturalOrder())
                .compare(counter(incoming.row()), counter(current.row()));
        boolean wins = order > 0 || (order == 0 && incoming.version().isAfter(current.version()));
        return wins ? Resolution.applyIncoming(current, incoming) : Resolution.supersede();
    }

    /** The counter, or null when the row has none; SQLite integers arrive as {@code Long}. */
    private Long counter(Map<String, Object> row) {
        return row.get(column) instanceof Long value ? value : null;
    }

    @Override
    public String toString() {
        return "max-counter(" + column + ")";
    }
}
