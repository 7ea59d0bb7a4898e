package io.pocketsync.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.store.ServerStoreProvider;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class SqliteStoreDiscoveryTest {
    @Test
    void providerIsFoundByServiceLoaderUnderItsName() {
        assertThat(ServiceLoader.load(ServerStoreProvider.class, ServerStoreProvider.class.getClassLoader()).stream()
                .map(ServiceLoader.Provider::get).map(ServerStoreProvider::name)).contains("sqlite");
    }

}
