package io.pocketsync.core.codec;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.codec.Codec;
import io.pocketsync.api.codec.CodecProvider;

/** Registers {@link JsonCodec} as {@code json}; config keys {@code max-message-bytes}, {@code max-depth}. */
public final class JsonCodecProvider implements CodecProvider {
    @Override
    public String name() {
        return JsonCodec.NAME;
    }

    @Override
    public Codec create(PluginConfig config, PluginContext context) {
        return new JsonCodec(CodecLimits.from(config));
    }
}
