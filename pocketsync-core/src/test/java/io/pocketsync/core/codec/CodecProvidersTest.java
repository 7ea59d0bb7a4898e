package io.pocketsync.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.codec.Codec;
import io.pocketsync.api.codec.CodecProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class CodecProvidersTest {
    private static final PluginContext CONTEXT = new PluginContext() {
        @Override
        public String nodeId() {
            return "test";
        }

        @Override
        public Codec codec(String name) {
            throw new UnsupportedOperationException();
        }
    };

    @Test
    void bothProvidersAreRegisteredForServiceLoader() {
        List<String> names = new ArrayList<>();
        ServiceLoader.load(CodecProvider.class, CodecProvider.class.getClassLoader()).forEach(p -> names.add(p.name()));

        assertThat(names).contains("json", "cbor");
    }

    @Test
    void providersReadTheirLimitsFromConfig() {
        Codec codec = new CborCodecProvider().create(
                PluginConfig.of("codec.cbor", Map.of("max-message-bytes", "4096", "max-depth", "10")), CONTEXT);

        assertThat(((CborCodec) codec).limits()).isEqualTo(new CodecLimits(4096, 10));
        assertThat(((JsonCodec) new JsonCodecProvider().create(PluginConfig.empty("codec.json"), CONTEXT)).limits())
                .isEqualTo(CodecLimits.DEFAULT);
    }

    @Test
    void anUnknownKeyOrBadValueFailsWithConfigInvalid() {
        assertThatThrownBy(() -> new JsonCodecProvider().create(PluginConfig.of("codec.json", Map.of("max-mesage-bytes", "1")), CONTEXT))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining("did you mean 'codec.json.max-message-bytes'");
        assertThatThrownBy(() -> new JsonCodecProvider().create(PluginConfig.of("codec.json", Map.of("max-depth", "2")), CONTEXT))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID));
    }
}
