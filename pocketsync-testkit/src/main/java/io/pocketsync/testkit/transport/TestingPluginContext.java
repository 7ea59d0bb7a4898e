package io.pocketsync.testkit.transport;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.codec.Codec;
import io.pocketsync.api.codec.CodecProvider;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link PluginContext} for transport tests. {@link #codec} returns the codec registered through
 * {@link CodecProvider} under that name when one is on the class path (the real {@code json} and
 * {@code cbor} codecs of pocketsync-core), and otherwise a {@link TestingCodec} (textual for
 * {@code json}), so transport tests run before and after the real codecs exist.
 *
 * <p>Thread-safe.
 */
public final class TestingPluginContext implements PluginContext {
    private final String nodeId;
    private final Map<Class<?>, Object> services;
    private final Map<String, Codec> codecs = new ConcurrentHashMap<>();

    /**
     * A context for {@code nodeId}.
     *
     * @param nodeId the node id
     */
    public TestingPluginContext(String nodeId) {
        this(nodeId, Map.of());
    }

    /**
     * A context for {@code nodeId} that offers {@code services} (for example a
     * {@link io.pocketsync.api.FatalErrorHandler} that records what a part reports).
     *
     * @param nodeId the node id
     * @param services what {@link #service} answers, by type
     */
    public TestingPluginContext(String nodeId, Map<Class<?>, Object> services) {
        this.nodeId = nodeId;
        this.services = Map.copyOf(services);
    }

    @Override
    public <T> Optional<T> service(Class<T> type) {
        return Optional.ofNullable(services.get(type)).map(type::cast);
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public Codec codec(String name) {
        return codecs.computeIfAbsent(name, TestingPluginContext::load);
    }

    private static Codec load(String name) {
        for (CodecProvider provider : ServiceLoader.load(CodecProvider.class, CodecProvider.class.getClassLoader())) {
            if (provider.name().equals(name)) {
                return provider.create(PluginConfig.empty("codec." + name), new TestingPluginContext("codec-loader"));
            }
        }
        switch (name) {
            case "json":
                return new TestingCodec("json", true);
            case "cbor":
                return new TestingCodec("cbor", false);
            default:
                throw new PocketSyncException(ErrorCode.PROVIDER_NOT_FOUND, "no codec named '" + name + "' (known: json, cbor)");
        }
    }
}
