package io.pocketsync.server.engine;

import io.pocketsync.api.auth.Authenticator;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.core.clock.HybridLogicalClock;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;

/** The collaborators every session handler shares; assembled once by {@link SyncServer}. */
record ServerServices(
        ServerStore store,
        Authenticator authenticator,
        TableResolvers resolvers,
        ServerOptions options,
        ServerListener listener,
        Clock clock,
        HybridLogicalClock hlc,
        SessionRegistry registry,
        DeviceControls controls,
        DeviceSightings sightings) {

    /** Runs a store call and reports its latency. */
    <T> T timed(String operation, Supplier<T> call) {
        long start = System.nanoTime();
        try {
            return call.get();
        }
        finally {
            listener.storeLatency(operation, Duration.ofNanos(System.nanoTime() - start));
        }
    }
}
