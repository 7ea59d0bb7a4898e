package io.pocketsync.core.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;

/**
 * The {@code json} codec: UTF-8 JSON objects as in {@code docs/protocol.md}; blobs as {@code {"$b": base64}}.
 *
 * <p>Reals that are not finite are written as the bare tokens {@code NaN}, {@code Infinity} and
 * {@code -Infinity} (accepted again on read) so that a row holding them still round-trips; strict JSON
 * has no spelling for them. Thread-safe.
 */
public final class JsonCodec extends JacksonCodec {
    /** The codec's name. */
    public static final String NAME = "json";

    /** A codec with the default limits. */
    public JsonCodec() {
        this(CodecLimits.DEFAULT);
    }

    /**
     * A codec with the given limits.
     *
     * @param limits the bounds enforced while decoding
     */
    public JsonCodec(CodecLimits limits) {
        super(NAME, factory(limits), limits, true);
    }

    @Override
    public boolean textual() {
        return true;
    }

    private static JsonFactory factory(CodecLimits limits) {
        return JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(limits.maxDepth() + 1)
                        .maxNumberLength(64)
                        .maxStringLength(limits.maxMessageBytes())
                        .build())
                .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
                .build();
    }
}
