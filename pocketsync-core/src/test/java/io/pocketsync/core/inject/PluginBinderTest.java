package io.pocketsync.core.inject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.AbstractModule;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.codec.CodecProvider;
import io.pocketsync.api.conflict.ConflictResolverProvider;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.api.store.ServerStoreProvider;
import io.pocketsync.core.codec.CborCodecProvider;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PluginBinderTest {
    private static final TypeLiteral<Map<String, CodecProvider>> CODECS = new TypeLiteral<>() {};
    private static final TypeLiteral<Map<String, ServerStoreProvider>> STORES = new TypeLiteral<>() {};
    private static final TypeLiteral<Map<String, ConflictResolverProvider>> RESOLVERS = new TypeLiteral<>() {};

    @Test
    void twoModulesBindProvidersThatAreSelectedByName() {
        Injector injector = Guice.createInjector(new CodecModule(), new TestStoreModule(),
                new AbstractModule() {
                    @Override
                    protected void configure() {
                        PluginBinder.of(binder()).declareAll();
                    }
                });

        Map<String, CodecProvider> codecs = injector.getInstance(Key.get(CODECS));
        Map<String, ServerStoreProvider> stores = injector.getInstance(Key.get(STORES));

        assertThat(codecs).containsOnlyKeys("json", "cbor");
        assertThat(ProviderSelector.select(CodecProvider.class, codecs, "cbor")).isInstanceOf(CborCodecProvider.class);
        assertThat(ProviderSelector.select(ServerStoreProvider.class, stores, "memory")).isInstanceOf(TestStoreProvider.class);
        assertThat(injector.getInstance(Key.get(RESOLVERS))).isEmpty();
        assertThat(ProviderSelector.registry(CodecProvider.class, codecs).get("json").name()).isEqualTo("json");
    }

    @Test
    void anUnknownNameFailsLikeDiscovery() {
        Injector injector = Guice.createInjector(new CodecModule());
        Map<String, CodecProvider> codecs = injector.getInstance(Key.get(CODECS));

        assertThatThrownBy(() -> ProviderSelector.select(CodecProvider.class, codecs, "xml"))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PROVIDER_NOT_FOUND))
                .hasMessageContaining("available: cbor, json");
    }

    @Test
    void twoProvidersUnderOneNameFailInjectorCreation() {
        assertThatThrownBy(() -> Guice.createInjector(new CodecModule(), new AbstractModule() {
            @Override
            protected void configure() {
                PluginBinder.of(binder()).bindCodec("json", CborCodecProvider.class);
            }
        }).getInstance(Key.get(CODECS))).isInstanceOf(CreationException.class).hasMessageContaining("json");
    }

    static final class TestStoreModule extends AbstractModule {
        @Override
        protected void configure() {
            PluginBinder.of(binder()).bindServerStore("memory", TestStoreProvider.class);
        }
    }

    static final class TestStoreProvider implements ServerStoreProvider {
        @Override
        public String name() {
            return "memory";
        }

        @Override
        public ServerStore create(PluginConfig config, PluginContext context) {
            throw new UnsupportedOperationException();
        }
    }
}
