package io.pocketsync.server.engine.plugin;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.conflict.ConflictResolverProvider;
import io.pocketsync.api.conflict.Resolution;
import java.util.Set;

/**
 * A third-party resolver as a plugin jar would ship it: registered only through the test
 * {@code META-INF/services} file, never referenced by server code. The row whose {@code title} is
 * longer wins (a deliberately odd rule, so a test can tell it was used); a tie goes to the stored row.
 */
public final class LongestTitleResolverProvider implements ConflictResolverProvider {
    public static final String NAME = "test-longest-title";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ConflictResolver create(PluginConfig config, PluginContext context) {
        config.validateKeys(Set.of());
        return (current, incoming) -> {
            if (current == null || current.deleted() || incoming.isDelete()) {
                return Resolution.applyIncoming(current, incoming);
            }
            int stored = String.valueOf(current.row().get("title")).length();
            int offered = String.valueOf(incoming.row().get("title")).length();
            return offered > stored ? Resolution.applyIncoming(current, incoming) : Resolution.supersede();
        };
    }
}
