package io.pocketsync.testkit.store;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.codec.Codec;
import java.time.Clock;

/** The {@link PluginContext} a store test hands to a provider: a node id and a clock, no codecs. */
public record StoreTestContext(String nodeId, Clock clock) implements PluginContext {
    /**
     * Validates the context.
     *
     * @param nodeId the node id
     * @param clock the clock
     */
    public StoreTestContext {
        requireNonNull(nodeId, "nodeId is null");
        requireNonNull(clock, "clock is null");
    }

    @Override
    public Codec codec(String name) {
        throw new PocketSyncException(ErrorCode.PROVIDER_NOT_FOUND, "no codecs in store tests: " + name);
    }
}
