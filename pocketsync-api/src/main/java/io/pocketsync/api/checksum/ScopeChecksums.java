package io.pocketsync.api.checksum;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checksums of a scope's tables as they stood at one server sequence.
 *
 * @param sequence the scope's head the checksums hold at
 * @param tables one checksum per table with live rows, in name order (tables without are left out, so that stores
 *        that keep an empty table's entry and stores that drop it report the same)
 */
public record ScopeChecksums(long sequence, List<TableChecksum> tables) {
    /**
     * Keeps the tables that have live rows, in name order.
     *
     * @param sequence the scope's head the checksums hold at
     * @param tables one checksum per table that has or had live rows
     */
    public ScopeChecksums {
        tables = requireNonNull(tables, "tables is null").stream().filter(table -> table.count() != 0)
                .sorted(java.util.Comparator.comparing(TableChecksum::table)).toList();
    }

    /**
     * The same checksums at the coarse level ({@link TableChecksum#coarse}).
     *
     * @return the folded checksums, at the same sequence
     */
    public ScopeChecksums coarse() {
        return new ScopeChecksums(sequence, tables.stream().map(TableChecksum::coarse).toList());
    }

    /**
     * The same checksums at a level: folded when coarse is asked.
     *
     * @param level the level wanted
     * @return the checksums at that level
     * @throws IllegalArgumentException when fine is asked of coarse checksums (they cannot be split)
     */
    public ScopeChecksums at(ChecksumLevel level) {
        if (level == ChecksumLevel.COARSE) {
            return coarse();
        }
        if (tables.stream().anyMatch(table -> table.level() != level)) {
            throw new IllegalArgumentException("coarse checksums do not split into fine ones");
        }
        return this;
    }

    /**
     * The checksums by table.
     *
     * @return a new map, in the order of {@link #tables()}
     */
    public Map<String, TableChecksum> byTable() {
        Map<String, TableChecksum> map = new LinkedHashMap<>();
        tables.forEach(table -> map.put(table.table(), table));
        return map;
    }

    /**
     * One table's checksum.
     *
     * @param table the table
     * @return its checksum; {@link TableChecksum#empty} (fine) when the scope has no live row of it
     */
    public TableChecksum table(String table) {
        return table(table, ChecksumLevel.FINE);
    }

    /**
     * One table's checksum, or an empty one at a level.
     *
     * @param table the table
     * @param emptyLevel the level of the empty checksum returned when the scope has no live row of the table
     * @return its checksum
     */
    public TableChecksum table(String table, ChecksumLevel emptyLevel) {
        for (TableChecksum checksum : tables) {
            if (checksum.table().equals(table)) {
                return checksum;
            }
        }
        return TableChecksum.empty(table, emptyLevel);
    }
}
