package io.pocketsync.api.capture;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.Change;
import java.util.List;

/**
 * A page of the bulk path (protocol.md 3.2a): INSERT images of rows a table already held when the device started
 * tracking it, read in rowid order, sent as one {@code PUSH} with {@code bulk} set. The rowids are the capture's
 * bookkeeping, never sent: the page covers the table's rows with a rowid in {@code (afterRowid, throughRowid]}.
 *
 * @param table the table
 * @param afterRowid the page starts after this rowid
 * @param throughRowid the last rowid the page covers
 * @param changes one INSERT per row, with a change id that is the same at every sending (a page sent again is
 *        answered DUPLICATE); not empty
 * @param rowids the local rowid of each change's row, in the same order (ascending)
 */
public record BulkPage(String table, long afterRowid, long throughRowid, List<Change> changes, List<Long> rowids) {
    /**
     * Validates the page and copies its list.
     *
     * @param table the table
     * @param afterRowid the page starts after this rowid
     * @param throughRowid the last rowid the page covers
     * @param changes one INSERT per row; not empty
     * @param rowids the local rowid of each change's row
     */
    public BulkPage {
        requireNonNull(table, "table is null");
        changes = List.copyOf(requireNonNull(changes, "changes is null"));
        rowids = List.copyOf(requireNonNull(rowids, "rowids is null"));
        if (changes.isEmpty() || throughRowid <= afterRowid || rowids.size() != changes.size()) {
            throw new IllegalArgumentException("a bulk page covers at least one row, and names each row's rowid");
        }
    }

    /**
     * The page's first {@code keep} changes, covering the rowids up to the last of them: a smaller PUSH.
     *
     * @param keep how many changes stay; at least 1
     * @return the shorter page
     */
    public BulkPage first(int keep) {
        return new BulkPage(table, afterRowid, rowids.get(keep - 1), changes.subList(0, keep), rowids.subList(0, keep));
    }

    /**
     * The rest of the page after its first {@code skip} changes.
     *
     * @param skip how many changes are left out; fewer than the page holds
     * @return the rest
     */
    public BulkPage after(int skip) {
        return new BulkPage(table, rowids.get(skip - 1), throughRowid, changes.subList(skip, changes.size()),
                rowids.subList(skip, rowids.size()));
    }
}
