package io.pocketsync.core.conflict;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.conflict.ConflictResolverProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds a {@link ConflictResolverProvider} by name through {@link ServiceLoader} and creates its
 * resolver. A resolver in another jar (registered in its own {@code META-INF/services} file) is picked
 * up by name with no code change. Nothing is activated merely by being on the classpath.
 *
 * <p>Thread-safe; stateless.
 */
public final class ConflictResolvers {
    private static final Logger LOG = LoggerFactory.getLogger(ConflictResolvers.class);

    private ConflictResolvers() {}

    /**
     * Creates the resolver registered as {@code name}.
     *
     * @param config the provider's configuration (namespace {@code resolver.<name>})
     * @throws PocketSyncException {@code PROVIDER_NOT_FOUND} listing the known names, or {@code PROVIDER_AMBIGUOUS}
     */
    public static ConflictResolver create(String name, PluginConfig config, PluginContext context) {
        List<ConflictResolverProvider> matches = new ArrayList<>();
        TreeSet<String> known = new TreeSet<>();
        for (ConflictResolverProvider provider
                : ServiceLoader.load(ConflictResolverProvider.class, ConflictResolverProvider.class.getClassLoader())) {
            known.add(provider.name());
            if (provider.name().equals(name)) {
                matches.add(provider);
            }
        }
        if (matches.isEmpty()) {
            throw new PocketSyncException(ErrorCode.PROVIDER_NOT_FOUND,
                    "no conflict resolver named '" + name + "'; available: " + known);
        }
        if (matches.size() > 1) {
            throw new PocketSyncException(ErrorCode.PROVIDER_AMBIGUOUS, "conflict resolver name '" + name
                    + "' is registered by " + matches.stream().map(p -> p.getClass().getName()).toList());
        }
        ConflictResolverProvider provider = matches.get(0);
        LOG.info("conflict resolver '{}' from {}", name, provider.getClass().getName());
        return provider.create(config, context);
    }

    /** Names of every registered resolver provider, sorted. */
    public static List<String> names() {
        TreeSet<String> known = new TreeSet<>();
        ServiceLoader.load(ConflictResolverProvider.class, ConflictResolverProvider.class.getClassLoader())
                .forEach(provider -> known.add(provider.name()));
        return List.copyOf(known);
    }
}
