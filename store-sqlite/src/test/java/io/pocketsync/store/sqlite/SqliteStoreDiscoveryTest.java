package io.pocketsync.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Guice;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import io.pocketsync.api.store.ServerStoreProvider;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class SqliteStoreDiscoveryTest {
    @Test
    void providerIsFoundByServiceLoaderUnderItsName() {
        assertThat(ServiceLoader.load(ServerStoreProvider.class, ServerStoreProvider.class.getClassLoader()).stream()
                .map(ServiceLoader.Provider::get).map(ServerStoreProvider::name)).contains("sqlite");
    }

    @Test
    void guiceModuleBindsTheProviderByName() {
        Map<String, ServerStoreProvider> providers = Guice.createInjector(new SqliteStoreModule())
                .getInstance(Key.get(new TypeLiteral<Map<String, ServerStoreProvider>>() {}));

        assertThat(providers.get("sqlite")).isInstanceOf(SqliteServerStoreProvider.class);
    }
}
