package io.pocketsync.core.discovery;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import java.net.URL;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The providers of one SPI, selectable by name. Nothing is activated by being on the classpath: a
 * caller asks for the configured name with {@link #get(String)}, which fails with
 * {@link ErrorCode#PROVIDER_NOT_FOUND} (listing the names available) or {@link ErrorCode#PROVIDER_AMBIGUOUS}
 * (naming the classes and jars that share the name).
 *
 * <p>Immutable and thread-safe.
 *
 * @param <P> the provider type, e.g. {@code CodecProvider}
 */
public final class ProviderRegistry<P> {
    private static final Logger LOG = LoggerFactory.getLogger(ProviderRegistry.class);

    private final Class<P> type;
    private final Map<String, List<P>> byName;

    private ProviderRegistry(Class<P> type, Map<String, List<P>> byName) {
        this.type = type;
        this.byName = byName;
    }

    /**
     * Discovers the providers of {@code type} with {@code ServiceLoader.load(type, type.getClassLoader())}
     * and logs what was found and from which jar.
     *
     * @param <P> the SPI type
     * @param type the SPI type
     * @param name how to read a provider's name
     * @return the registry of what was found
     * @throws PocketSyncException with {@link ErrorCode#PROVIDER_NOT_FOUND} when a registered provider cannot be loaded
     */
    public static <P> ProviderRegistry<P> load(Class<P> type, Function<? super P, String> name) {
        requireNonNull(type, "type is null");
        List<P> providers = new ArrayList<>();
        try {
            for (P provider : ServiceLoader.load(type, type.getClassLoader())) {
                providers.add(provider);
            }
        }
        catch (ServiceConfigurationError e) {
            throw new PocketSyncException(ErrorCode.PROVIDER_NOT_FOUND,
                    "a " + type.getSimpleName() + " registered for ServiceLoader could not be loaded: " + e.getMessage(), e);
        }
        ProviderRegistry<P> registry = of(type, name, providers);
        if (LOG.isInfoEnabled()) {
            LOG.info("{} providers: {}", type.getSimpleName(), providers.isEmpty() ? "none"
                    : providers.stream().map(p -> name.apply(p) + " (" + describe(p) + ")").collect(Collectors.joining(", ")));
        }
        return registry;
    }

    /**
     * A registry over given providers (tests, hand-built engines, Guice map bindings).
     *
     * @param <P> the SPI type
     * @param type the SPI type
     * @param name how to read a provider's name
     * @param providers the providers
     * @return the registry
     */
    public static <P> ProviderRegistry<P> of(Class<P> type, Function<? super P, String> name, Collection<? extends P> providers) {
        requireNonNull(type, "type is null");
        requireNonNull(name, "name is null");
        Map<String, List<P>> byName = new TreeMap<>();
        for (P provider : providers) {
            String providerName = requireNonNull(name.apply(provider), () -> provider.getClass().getName() + ".name() is null");
            byName.computeIfAbsent(providerName, k -> new ArrayList<>()).add(provider);
        }
        byName.replaceAll((k, v) -> List.copyOf(v));
        return new ProviderRegistry<>(type, Map.copyOf(byName));
    }

    /**
     * The SPI type.
     *
     * @return the type
     */
    public Class<P> type() {
        return type;
    }

    /**
     * The registered names, sorted.
     *
     * @return the names
     */
    public Set<String> names() {
        return new TreeSet<>(byName.keySet());
    }

    /**
     * Whether exactly one provider is registered under {@code name}.
     *
     * @param name a provider name
     * @return false for none and for several
     */
    public boolean contains(String name) {
        List<P> found = byName.get(name);
        return found != null && found.size() == 1;
    }

    /**
     * The provider registered under {@code name}.
     *
     * @param name a provider name; may be null
     * @return the provider
     * @throws PocketSyncException with {@link ErrorCode#PROVIDER_NOT_FOUND} or {@link ErrorCode#PROVIDER_AMBIGUOUS}
     */
    public P get(String name) {
        List<P> found = name == null ? null : byName.get(name);
        if (found == null) {
            throw notFound(type, name, byName.keySet());
        }
        if (found.size() > 1) {
            throw new PocketSyncException(ErrorCode.PROVIDER_AMBIGUOUS, "several " + type.getSimpleName()
                    + "s are named '" + name + "': " + found.stream().map(ProviderRegistry::describe).collect(Collectors.joining(", "))
                    + "; remove one of them from the classpath");
        }
        return found.get(0);
    }

    /**
     * The error for a name nobody registered, listing the names available.
     *
     * @param type the SPI type
     * @param name the name asked for
     * @param available the names registered
     * @return the exception, with {@link ErrorCode#PROVIDER_NOT_FOUND}
     */
    public static PocketSyncException notFound(Class<?> type, String name, Collection<String> available) {
        return new PocketSyncException(ErrorCode.PROVIDER_NOT_FOUND, "no " + type.getSimpleName() + " named '" + name
                + "'; available: " + (available.isEmpty() ? "none (add a plugin dependency)" : String.join(", ", new TreeSet<>(available))));
    }

    /** The provider's class and the jar or directory it was loaded from. */
    static String describe(Object provider) {
        Class<?> type = provider.getClass();
        CodeSource source = type.getProtectionDomain() == null ? null : type.getProtectionDomain().getCodeSource();
        URL location = source == null ? null : source.getLocation();
        return type.getName() + " from " + (location == null ? "unknown location" : location);
    }

    @Override
    public String toString() {
        return type.getSimpleName() + "s" + names();
    }
}
