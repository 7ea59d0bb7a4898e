package io.pocketsync.core.codec;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;

/**
 * The {@code cbor} codec (RFC 8949): the same maps as {@link JsonCodec} in a compact binary form, for
 * MQTT and IoT devices; blobs are native byte strings. Thread-safe.
 */
public final class CborCodec extends JacksonCodec {
    /** The codec's name. */
    public static final String NAME = "cbor";

    /** A codec with the default limits. */
    public CborCodec() {
        this(CodecLimits.DEFAULT);
    }

    /**
     * A codec with the given limits.
     *
     * @param limits the bounds enforced while decoding
     */
    public CborCodec(CodecLimits limits) {
        super(NAME, factory(limits), limits, false);
    }

    @Override
    public boolean textual() {
        return false;
    }

    private static CBORFactory factory(CodecLimits limits) {
        return CBORFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(limits.maxDepth() + 1)
                        .maxNumberLength(64)
                        .maxStringLength(limits.maxMessageBytes())
                        .build())
                .build();
    }
}
