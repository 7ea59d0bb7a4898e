package io.pocketsync.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.codec.Codec;
import io.pocketsync.api.codec.CodecProvider;
import io.pocketsync.core.codec.JsonCodecProvider;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProviderRegistryTest {
    @Test
    void discoversTheBuiltInCodecsAndSelectsByName() {
        ProviderRegistry<CodecProvider> codecs = Providers.codecs();

        assertThat(codecs.names()).contains("json", "cbor");
        assertThat(codecs.get("cbor").name()).isEqualTo("cbor");
        assertThat(Providers.codecs()).isSameAs(codecs);
    }

    @Test
    void everySpiCanBeDiscoveredEvenWithoutProviders() {
        assertThat(Providers.serverStores().names()).isNotNull();
        assertThat(Providers.conflictResolvers().type().getSimpleName()).isEqualTo("ConflictResolverProvider");
        assertThat(Providers.clientTransports().names()).isNotNull();
        assertThat(Providers.serverTransports().names()).isNotNull();
        assertThat(Providers.authenticators().names()).isNotNull();
        assertThat(Providers.changeCaptures().names()).isNotNull();
    }

    @Test
    void anUnknownNameListsTheAvailableNames() {
        assertThatThrownBy(() -> Providers.codecs().get("msgpack"))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PROVIDER_NOT_FOUND))
                .hasMessageContaining("no CodecProvider named 'msgpack'")
                .hasMessageContaining("cbor, json");
        assertThatThrownBy(() -> ProviderRegistry.of(CodecProvider.class, CodecProvider::name, List.of()).get("json"))
                .hasMessageContaining("none");
    }

    @Test
    void twoProvidersWithOneNameAreAmbiguousAndNamedWithTheirClasses() {
        ProviderRegistry<CodecProvider> registry = ProviderRegistry.of(CodecProvider.class, CodecProvider::name,
                List.of(new JsonCodecProvider(), new FakeJson()));

        assertThat(registry.contains("json")).isFalse();
        assertThatThrownBy(() -> registry.get("json"))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PROVIDER_AMBIGUOUS))
                .hasMessageContaining(JsonCodecProvider.class.getName())
                .hasMessageContaining(FakeJson.class.getName())
                .hasMessageContaining("from file:");
    }

    static final class FakeJson implements CodecProvider {
        @Override
        public String name() {
            return "json";
        }

        @Override
        public Codec create(PluginConfig config, PluginContext context) {
            throw new UnsupportedOperationException();
        }
    }
}
