package io.pocketsync.server.engine;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.checksum.TableChecksum;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The tables one session subscribed to with HELLO {@code tables} (docs/protocol.md, "Table subscriptions"), or every
 * table. The server sends a session changes, pages and checksums of its tables only, and refuses its changes to
 * others. Immutable.
 */
final class TableSubscription {
    /** Every table: a protocol 1 HELLO, or one without {@code tables}. */
    static final TableSubscription ALL = new TableSubscription(null);

    private final @Nullable Set<String> tables;

    private TableSubscription(@Nullable Set<String> tables) {
        this.tables = tables;
    }

    /** The subscription of a HELLO's {@code tables}; null means every table. */
    static TableSubscription of(@Nullable List<String> tables) {
        return tables == null ? ALL : new TableSubscription(Set.copyOf(tables));
    }

    boolean all() {
        return tables == null;
    }

    boolean includes(String table) {
        return tables == null || tables.contains(table);
    }

    /** The checksums of the subscribed tables only: a device compares what it holds. */
    List<TableChecksum> filter(List<TableChecksum> sums) {
        if (tables == null) {
            return sums;
        }
        List<TableChecksum> kept = new ArrayList<>(sums.size());
        for (TableChecksum sum : sums) {
            if (tables.contains(sum.table())) {
                kept.add(sum);
            }
        }
        return kept;
    }

    /** The first change of {@code changes} to a table outside the subscription, or null. */
    @Nullable Change firstOutside(List<Change> changes) {
        if (tables == null) {
            return null;
        }
        for (Change change : changes) {
            if (!tables.contains(change.table())) {
                return change;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return tables == null ? "every table" : String.valueOf(tables);
    }
}
