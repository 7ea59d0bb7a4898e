package io.pocketsync.server.engine;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.server.engine.conflict.LastWriteWinsResolver;
import java.util.Map;

/**
 * The conflict resolver of each table: a default plus per-table choices. Built from configuration
 * ({@code resolver.default}, {@code resolver.table.<table>}) by
 * {@link io.pocketsync.server.engine.assembly.ServerAssembly#resolvers()}, or by hand with {@link #of}.
 *
 * <p>Immutable and thread-safe.
 */
public final class TableResolvers {
    private final ConflictResolver defaultResolver;
    private final Map<String, ConflictResolver> perTable;

    private TableResolvers(ConflictResolver defaultResolver, Map<String, ConflictResolver> perTable) {
        this.defaultResolver = requireNonNull(defaultResolver, "defaultResolver is null");
        this.perTable = Map.copyOf(requireNonNull(perTable, "perTable is null"));
    }

    /**
     * Last-write-wins for every table.
     *
     * @return resolvers with {@link LastWriteWinsResolver} as the default and no per-table ones
     */
    public static TableResolvers lastWriteWins() {
        return new TableResolvers(new LastWriteWinsResolver(), Map.of());
    }

    /**
     * The given resolvers.
     *
     * @param defaultResolver decides tables without their own; not null
     * @param perTable table name to resolver, for tables that differ from the default; copied, not null
     * @return the resolvers
     */
    public static TableResolvers of(ConflictResolver defaultResolver, Map<String, ConflictResolver> perTable) {
        return new TableResolvers(defaultResolver, perTable);
    }

    /**
     * The resolver of {@code table}.
     *
     * @param table a table name
     * @return its own resolver, or the default one when it has none
     */
    public ConflictResolver forTable(String table) {
        return perTable.getOrDefault(table, defaultResolver);
    }

    @Override
    public String toString() {
        return "TableResolvers[default=" + defaultResolver + ", tables=" + perTable + "]";
    }
}
