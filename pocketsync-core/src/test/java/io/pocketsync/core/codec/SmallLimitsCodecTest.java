package io.pocketsync.core.codec;

import io.pocketsync.api.codec.Codec;
import io.pocketsync.testkit.codec.AbstractCodecContractTest;

/** The contract again with configured (non-default) limits, so the limits really come from the config. */
class SmallLimitsCodecTest extends AbstractCodecContractTest {
    private static final Codec CODEC = new CborCodec(new CodecLimits(64 * 1024, 12));

    @Override
    protected Codec codec() {
        return CODEC;
    }

    @Override
    protected int maxMessageBytes() {
        return 64 * 1024;
    }

    @Override
    protected int maxDepth() {
        return 12;
    }
}
