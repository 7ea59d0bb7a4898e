package io.pocketsync.server.engine.conflict;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.conflict.ConflictResolverProvider;
import java.util.Set;

/** Registers {@link ServerWinsResolver} as {@value ServerWinsResolver#NAME}; it takes no configuration keys. */
public final class ServerWinsResolverProvider implements ConflictResolverProvider {
    @Override
    public String name() {
        return ServerWinsResolver.NAME;
    }

    @Override
    public ConflictResolver create(PluginConfig config, PluginContext context) {
        config.validateKeys(Set.of());
        return new ServerWinsResolver();
    }
}
