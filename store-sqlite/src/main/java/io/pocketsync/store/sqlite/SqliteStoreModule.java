package io.pocketsync.store.sqlite;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;
import io.pocketsync.api.store.ServerStoreProvider;

/** Binds the {@code sqlite} store provider into the engine's map of store providers by name. */
public final class SqliteStoreModule extends AbstractModule {
    @Override
    protected void configure() {
        MapBinder.newMapBinder(binder(), String.class, ServerStoreProvider.class)
                .addBinding(SqliteServerStoreProvider.NAME).to(SqliteServerStoreProvider.class);
    }
}
