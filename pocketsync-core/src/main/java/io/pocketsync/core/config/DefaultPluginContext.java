package io.pocketsync.core.config;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.PluginContext;
import io.pocketsync.api.codec.Codec;
import io.pocketsync.api.codec.CodecProvider;
import io.pocketsync.core.discovery.ProviderRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link PluginContext} the engines hand to providers: node id, clock, codecs by name (created once
 * per name from the registry with the {@code codec.<name>} settings) and optional extra services.
 * Thread-safe.
 */
public final class DefaultPluginContext implements PluginContext {
    private final String nodeId;
    private final Clock clock;
    private final ProviderRegistry<CodecProvider> codecs;
    private final Settings settings;
    private final Map<Class<?>, Object> services;
    private final Map<String, Codec> created = new ConcurrentHashMap<>();

    /**
     * A context without extra services.
     *
     * @param nodeId this process's id
     * @param clock the wall clock
     * @param codecs the codec providers, by name
     * @param settings every setting; each codec gets its {@code codec.<name>} part
     */
    public DefaultPluginContext(String nodeId, Clock clock, ProviderRegistry<CodecProvider> codecs, Settings settings) {
        this(nodeId, clock, codecs, settings, Map.of());
    }

    /**
     * A context with extra services.
     *
     * @param nodeId this process's id
     * @param clock the wall clock
     * @param codecs the codec providers, by name
     * @param settings every setting; each codec gets its {@code codec.<name>} part
     * @param services what {@link #service} answers, by type; copied
     */
    public DefaultPluginContext(String nodeId, Clock clock, ProviderRegistry<CodecProvider> codecs, Settings settings,
            Map<Class<?>, Object> services) {
        this.nodeId = requireNonNull(nodeId, "nodeId is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.codecs = requireNonNull(codecs, "codecs is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.services = Map.copyOf(requireNonNull(services, "services is null"));
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public Codec codec(String name) {
        Codec codec = created.get(name);
        if (codec != null) {
            return codec;
        }
        CodecProvider provider = codecs.get(name);
        return created.computeIfAbsent(name, n -> provider.create(settings.forNamespace("codec." + n), this));
    }

    @Override
    public <T> Optional<T> service(Class<T> type) {
        return Optional.ofNullable(services.get(type)).map(type::cast);
    }
}
