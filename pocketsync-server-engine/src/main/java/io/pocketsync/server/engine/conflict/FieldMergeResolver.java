package io.pocketsync.server.engine.conflict;

import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.conflict.Resolution;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Version;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-column last-write-wins. The stored state keeps a {@link Version} per column in
 * {@link RowState#columnVersions()}; the row's {@link RowState#version()} is the greatest of them.
 *
 * <ul>
 *   <li>UPDATE of a live row touches only its {@code changedColumns} (all columns of its image when the
 *       list is empty): each one takes the incoming value when the incoming version is later than that
 *       column's version. Concurrent edits of different columns therefore both survive. When no column
 *       is won the change is SUPERSEDED.</li>
 *   <li>INSERT and DELETE act on the whole row like {@link LastWriteWinsResolver}, compared with the row's
 *       greatest version.</li>
 *   <li>Delete against a concurrent update: a DELETE wins only when it is later than every column write
 *       the server has stored for the row; an UPDATE later than the tombstone resurrects the row with its
 *       full image (the tombstone kept no values to merge with), every column taking the update's
 *       version. Because of this rule the resolver is not commutative when deletes race with updates; it
 *       is for any set of updates to a live row.</li>
 * </ul>
 *
 * <p>A stored state without column versions (written under another resolver) counts every column as
 * written at the row's version. A column absent from the stored versions (added later) is older than
 * any write. Stateless and thread-safe.
 */
public final class FieldMergeResolver implements ConflictResolver {
    /**
     * The provider name, {@value}, as {@code resolver.default} and {@code resolver.table.<table>} select it.
     */
    public static final String NAME = "field-merge";

    @Override
    public Resolution resolve(RowState current, Change incoming) {
        Version version = incoming.version();
        if (current == null || current.deleted() || incoming.op() != Op.UPDATE) {
            if (current == null || version.isAfter(current.version())) {
                return Resolution.apply(current, incoming, wholeRow(incoming));
            }
            return Resolution.supersede();
        }
        List<String> touched = incoming.changedColumns().isEmpty()
                ? List.copyOf(incoming.row().keySet()) : incoming.changedColumns();
        Map<String, Object> row = new LinkedHashMap<>(current.row());
        Map<String, Version> versions = new HashMap<>(columnVersions(current));
        boolean won = false;
        for (String column : touched) {
            if (!incoming.row().containsKey(column)) {
                continue;
            }
            Version stored = versions.get(column);
            if (stored == null || version.isAfter(stored)) {
                row.put(column, incoming.row().get(column));
                versions.put(column, version);
                won = true;
            }
        }
        if (!won) {
            return Resolution.supersede();
        }
        Version rowVersion = version.isAfter(current.version()) ? version : current.version();
        RowState merged = new RowState(incoming.table(), incoming.globalId(), row, false, rowVersion, versions,
                incoming.changeId(), 0, 0);
        return Resolution.apply(current, incoming, merged);
    }

    private static RowState wholeRow(Change incoming) {
        if (incoming.isDelete()) {
            return RowState.of(incoming);
        }
        Map<String, Version> versions = new HashMap<>();
        for (String column : incoming.row().keySet()) {
            versions.put(column, incoming.version());
        }
        return new RowState(incoming.table(), incoming.globalId(), incoming.row(), false, incoming.version(), versions,
                incoming.changeId(), 0, 0);
    }

    private static Map<String, Version> columnVersions(RowState current) {
        if (!current.columnVersions().isEmpty()) {
            return current.columnVersions();
        }
        Map<String, Version> versions = new HashMap<>();
        for (String column : current.row().keySet()) {
            versions.put(column, current.version());
        }
        return versions;
    }

    @Override
    public String toString() {
        return NAME;
    }
}
