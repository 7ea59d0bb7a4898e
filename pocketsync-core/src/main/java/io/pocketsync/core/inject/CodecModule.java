package io.pocketsync.core.inject;

import com.google.inject.AbstractModule;
import io.pocketsync.core.codec.CborCodec;
import io.pocketsync.core.codec.CborCodecProvider;
import io.pocketsync.core.codec.JsonCodec;
import io.pocketsync.core.codec.JsonCodecProvider;

/** Binds the built-in codec providers: {@code json} and {@code cbor}. */
public final class CodecModule extends AbstractModule {
    @Override
    protected void configure() {
        PluginBinder.of(binder())
                .bindCodec(JsonCodec.NAME, JsonCodecProvider.class)
                .bindCodec(CborCodec.NAME, CborCodecProvider.class);
    }
}
