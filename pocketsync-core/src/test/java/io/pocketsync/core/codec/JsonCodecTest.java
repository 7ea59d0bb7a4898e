package io.pocketsync.core.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.codec.Codec;
import io.pocketsync.testkit.codec.AbstractCodecContractTest;
import io.pocketsync.testkit.codec.MessageSamples;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonCodecTest extends AbstractCodecContractTest {
    private static final Codec CODEC = new JsonCodec();

    @Override
    protected Codec codec() {
        return CODEC;
    }

    @Test
    void writesTheDocumentedFieldNamesAndBlobObjects() {
        String json = new String(CODEC.encode(MessageSamples.push()), StandardCharsets.UTF_8);

        assertThat(json).startsWith("{\"type\":\"PUSH\",\"v\":1,\"batch\":\"batch-1\",\"changes\":[{\"id\":\"dev-a:1\"")
                .contains("\"gid\":\"0f8fad5b-d9cb-469f-a165-70867728950e\"", "\"op\":\"INSERT\"", "\"cols\":[\"title\",\"done\"]",
                        "\"blob\":{\"$b\":\"AAEC/4B/\"}", "\"empty-blob\":{\"$b\":\"\"}", "\"device\":\"dev-a\"",
                        "\"big\":9223372036854775807", "\"price\":12.5");
        assertThat(CODEC.textual()).isTrue();
    }
}
