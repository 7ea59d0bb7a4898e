package io.pocketsync.benchmarks;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.codec.Codec;
import io.pocketsync.api.codec.CodecProvider;
import java.util.ServiceLoader;

/** The plugin context the benchmarks hand to providers: codecs found through ServiceLoader. */
final class BenchContext implements PluginContext {
    private final String nodeId;

    BenchContext(String nodeId) {
        this.nodeId = nodeId;
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public Codec codec(String name) {
        for (CodecProvider provider : ServiceLoader.load(CodecProvider.class, CodecProvider.class.getClassLoader())) {
            if (provider.name().equals(name)) {
                return provider.create(PluginConfig.empty("codec." + name), this);
            }
        }
        throw new PocketSyncException(ErrorCode.PROVIDER_NOT_FOUND, "no codec named " + name);
    }

    /** The provider of {@code type} registered under {@code name}. */
    static <T> T provider(Class<T> type, String name, java.util.function.Function<T, String> nameOf) {
        for (T provider : ServiceLoader.load(type, type.getClassLoader())) {
            if (nameOf.apply(provider).equals(name)) {
                return provider;
            }
        }
        throw new PocketSyncException(ErrorCode.PROVIDER_NOT_FOUND, "no " + type.getSimpleName() + " named " + name);
    }
}
