package io.pocketsync.server.engine.conflict;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.conflict.ConflictResolverProvider;
import java.util.Set;

/** Registers {@link FieldMergeResolver} as {@value FieldMergeResolver#NAME}; it takes no configuration keys. */
public final class FieldMergeResolverProvider implements ConflictResolverProvider {
    @Override
    public String name() {
        return FieldMergeResolver.NAME;
    }

    @Override
    public ConflictResolver create(PluginConfig config, PluginContext context) {
        config.validateKeys(Set.of());
        return new FieldMergeResolver();
    }
}
