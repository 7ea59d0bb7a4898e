package io.pocketsync.core.codec;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.codec.Codec;
import io.pocketsync.api.codec.CodecProvider;

/** Registers {@link CborCodec} as {@code cbor}; config keys {@code max-message-bytes}, {@code max-depth}. */
public final class CborCodecProvider implements CodecProvider {
    @Override
    public String name() {
        return CborCodec.NAME;
    }

    @Override
    public Codec create(PluginConfig config, PluginContext context) {
        return new CborCodec(CodecLimits.from(config));
    }
}
