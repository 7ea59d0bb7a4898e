package io.pocketsync.core.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.codec.Codec;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.ProtocolVersion;
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

        assertThat(json).startsWith("{\"type\":\"PUSH\",\"v\":" + ProtocolVersion.CURRENT + ",\"batch\":\"batch-1\",\"changes\":[{\"id\":\"dev-a:1\"")
                .contains("\"gid\":\"0f8fad5b-d9cb-469f-a165-70867728950e\"", "\"op\":\"INSERT\"", "\"cols\":[\"title\",\"done\"]",
                        "\"blob\":{\"$b\":\"AAEC/4B/\"}", "\"empty-blob\":{\"$b\":\"\"}", "\"device\":\"dev-a\"",
                        "\"big\":9223372036854775807", "\"price\":12.5");
        assertThat(CODEC.textual()).isTrue();
    }

    @Test
    void writesTheSubscribedTablesOfAHello() {
        String json = new String(CODEC.encode(MessageSamples.subscribedHello()), StandardCharsets.UTF_8);
        assertThat(json).contains("\"tables\":[\"todo\",\"note\"]");
        assertThat(new String(CODEC.encode(MessageSamples.hello()), StandardCharsets.UTF_8)).doesNotContain("tables");
        Hello decoded = (Hello) CODEC.decode("{\"type\":\"HELLO\",\"v\":1,\"device\":\"d\",\"scope\":\"s\",\"token\":\"\",\"cursor\":0,\"hlc\":0}"
                .getBytes(StandardCharsets.UTF_8));
        assertThat(decoded.protocolVersion()).isEqualTo(1);
        assertThat(decoded.tables()).as("a protocol 1 HELLO subscribes to every table").isNull();
    }
}
