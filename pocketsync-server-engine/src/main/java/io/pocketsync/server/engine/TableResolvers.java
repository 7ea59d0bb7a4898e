package io.pocketsync.server.engine;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.server.engine.conflict.LastWriteWinsResolver;
import io.pocketsync.core.discovery.Providers;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The conflict resolver of each table: a default ({@code last-write-wins} unless configured) plus
 * per-table choices ({@code resolver.default}, {@code resolver.table.<table>} in the server config).
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

    /** Last-write-wins for every table. */
    public static TableResolvers lastWriteWins() {
        return new TableResolvers(new LastWriteWinsResolver(), Map.of());
    }

    /** The given resolvers. */
    public static TableResolvers of(ConflictResolver defaultResolver, Map<String, ConflictResolver> perTable) {
        return new TableResolvers(defaultResolver, perTable);
    }

    /**
     * Resolvers chosen by provider name through {@link java.util.ServiceLoader}; each name is created once.
     *
     * @param defaultName the default resolver's name
     * @param tableNames table → resolver name
     * @param configFor the config of a resolver name (namespace {@code resolver.<name>})
     * @throws io.pocketsync.api.PocketSyncException {@code PROVIDER_NOT_FOUND} naming the known resolvers
     */
    public static TableResolvers byName(String defaultName, Map<String, String> tableNames,
            Function<String, PluginConfig> configFor, PluginContext context) {
        Map<String, ConflictResolver> created = new HashMap<>();
        Function<String, ConflictResolver> create =
                name -> created.computeIfAbsent(name, n -> Providers.conflictResolvers().get(n).create(configFor.apply(n), context));
        Map<String, ConflictResolver> perTable = new HashMap<>();
        tableNames.forEach((table, name) -> perTable.put(table, create.apply(name)));
        return new TableResolvers(create.apply(defaultName), perTable);
    }

    /** The resolver of {@code table}. */
    public ConflictResolver forTable(String table) {
        return perTable.getOrDefault(table, defaultResolver);
    }

    @Override
    public String toString() {
        return "TableResolvers[default=" + defaultResolver + ", tables=" + perTable + "]";
    }
}
