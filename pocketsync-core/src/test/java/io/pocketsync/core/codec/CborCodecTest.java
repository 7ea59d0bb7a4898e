package io.pocketsync.core.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.codec.Codec;
import io.pocketsync.testkit.codec.AbstractCodecContractTest;
import io.pocketsync.testkit.codec.MessageSamples;
import org.junit.jupiter.api.Test;

class CborCodecTest extends AbstractCodecContractTest {
    private static final Codec CODEC = new CborCodec();

    @Override
    protected Codec codec() {
        return CODEC;
    }

    @Test
    void isBinaryAndSmallerThanJson() {
        assertThat(CODEC.textual()).isFalse();
        assertThat(CODEC.encode(MessageSamples.push()).length).isLessThan(new JsonCodec().encode(MessageSamples.push()).length);
    }
}
