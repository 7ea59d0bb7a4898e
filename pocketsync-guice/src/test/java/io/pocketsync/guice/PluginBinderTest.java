package io.pocketsync.guice;

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
import io.pocketsync.api.capture.ChangeCaptureProvider;
import io.pocketsync.api.codec.CodecProvider;
import io.pocketsync.api.transport.ClientTransportProvider;
import io.pocketsync.api.transport.ServerTransportProvider;
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
        Injector injector = Guice.createInjector(new DiscoveredPluginsModule(), new TestStoreModule());

        Map<String, CodecProvider> codecs = injector.getInstance(Key.get(CODECS));
        Map<String, ServerStoreProvider> stores = injector.getInstance(Key.get(STORES));

        assertThat(codecs).containsOnlyKeys("json", "cbor");
        // store-sqlite and transport-websocket are test dependencies: their services files are enough.
        assertThat(stores).containsOnlyKeys("memory", "sqlite");
        assertThat(injector.getInstance(Key.get(new TypeLiteral<Map<String, ServerTransportProvider>>() {})))
                .containsOnlyKeys("websocket");
        assertThat(injector.getInstance(Key.get(new TypeLiteral<Map<String, ClientTransportProvider>>() {})))
                .containsOnlyKeys("websocket");
        assertThat(injector.getInstance(Key.get(new TypeLiteral<Map<String, ChangeCaptureProvider>>() {})))
                .containsOnlyKeys("sqlite-triggers");
        assertThat(ProviderSelector.select(CodecProvider.class, codecs, "cbor")).isInstanceOf(CborCodecProvider.class);
        assertThat(ProviderSelector.select(ServerStoreProvider.class, stores, "memory")).isInstanceOf(TestStoreProvider.class);
        assertThat(injector.getInstance(Key.get(RESOLVERS)))
                .containsKeys("last-write-wins", "field-merge", "server-wins", "client-wins");
        assertThat(ProviderSelector.registry(CodecProvider.class, codecs).get("json").name()).isEqualTo("json");
    }

    @Test
    void anUnknownNameFailsLikeDiscovery() {
        Injector injector = Guice.createInjector(new DiscoveredPluginsModule());
        Map<String, CodecProvider> codecs = injector.getInstance(Key.get(CODECS));

        assertThatThrownBy(() -> ProviderSelector.select(CodecProvider.class, codecs, "xml"))
                .isInstanceOfSatisfying(PocketSyncException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PROVIDER_NOT_FOUND))
                .hasMessageContaining("available: cbor, json");
    }

    @Test
    void twoProvidersUnderOneNameFailInjectorCreation() {
        assertThatThrownBy(() -> Guice.createInjector(new DiscoveredPluginsModule(), new AbstractModule() {
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
