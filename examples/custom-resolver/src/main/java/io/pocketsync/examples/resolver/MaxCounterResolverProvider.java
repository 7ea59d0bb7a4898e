package io.pocketsync.examples.resolver;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.Identifiers;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.conflict.ConflictResolverProvider;
import java.util.Set;

/**
 * Registers {@link MaxCounterResolver} as {@code max-counter}. Listed in
 * {@code META-INF/services/io.pocketsync.api.conflict.ConflictResolverProvider}, so a server finds it
 * when this jar is on its classpath and uses it only where the configuration names it, e.g.
 * {@code resolver.table.counters=max-counter}.
 *
 * <p>Configuration (namespace {@code resolver.max-counter}): {@code column}, the counter column
 * (default {@code value}).
 */
public final class MaxCounterResolverProvider implements ConflictResolverProvider {
    /** The name the resolver is selected by. */
    public static final String NAME = "max-counter";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ConflictResolver create(PluginConfig config, PluginContext context) {
        config.validateKeys(Set.of("column")); // a typo in a key fails start-up instead of being ignored
        String column = config.getString("column", "value");
        if (!Identifiers.isSqlName(column)) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID,
                    "'" + config.namespace() + ".column' is not a column name: " + column);
        }
        return new MaxCounterResolver(column);
    }
}
