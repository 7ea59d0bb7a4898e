package io.pocketsync.api.conflict;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;

/**
 * Registers a {@link ConflictResolver} under a name; found through {@link java.util.ServiceLoader}
 * ({@code META-INF/services/io.pocketsync.api.conflict.ConflictResolverProvider}) and selected per
 * table by name in the server configuration ({@code resolver.default}, {@code resolver.table.<table>}).
 */
public interface ConflictResolverProvider {
    /**
     * The name the resolver is selected by, e.g. {@code last-write-wins}.
     *
     * @return the name
     */
    String name();

    /**
     * Creates a resolver; config namespace {@code resolver.<name>}.
     *
     * @param config the keys under {@code resolver.<name>}
     * @param context engine services
     * @return the resolver
     */
    ConflictResolver create(PluginConfig config, PluginContext context);
}
