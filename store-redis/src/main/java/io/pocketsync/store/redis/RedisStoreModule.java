package io.pocketsync.store.redis;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;
import io.pocketsync.api.store.ServerStoreProvider;

/** Binds the {@code redis} store provider into the engine's map of store providers by name. */
public final class RedisStoreModule extends AbstractModule {
    @Override
    protected void configure() {
        MapBinder.newMapBinder(binder(), String.class, ServerStoreProvider.class)
                .addBinding(RedisServerStoreProvider.NAME).to(RedisServerStoreProvider.class);
    }
}
