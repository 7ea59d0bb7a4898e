package io.pocketsync.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Guice;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import io.pocketsync.api.store.ServerStoreProvider;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class RedisStoreDiscoveryTest {
    @Test
    void providerIsFoundByServiceLoaderUnderItsName() {
        assertThat(ServiceLoader.load(ServerStoreProvider.class, ServerStoreProvider.class.getClassLoader()).stream()
                .map(ServiceLoader.Provider::get).map(ServerStoreProvider::name)).contains("redis");
    }

    @Test
    void guiceModuleBindsTheProviderByName() {
        Map<String, ServerStoreProvider> providers = Guice.createInjector(new RedisStoreModule())
                .getInstance(Key.get(new TypeLiteral<Map<String, ServerStoreProvider>>() {}));

        assertThat(providers.get("redis")).isInstanceOf(RedisServerStoreProvider.class);
    }
}
