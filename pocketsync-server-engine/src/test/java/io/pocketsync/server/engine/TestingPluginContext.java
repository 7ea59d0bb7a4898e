package io.pocketsync.server.engine;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.codec.Codec;

/** A plugin context for tests: node {@code test-node}, system clock, no codecs. */
public final class TestingPluginContext implements PluginContext {
    @Override
    public String nodeId() {
        return "test-node";
    }

    @Override
    public Codec codec(String name) {
        throw new PocketSyncException(ErrorCode.PROVIDER_NOT_FOUND, "no codecs in tests: " + name);
    }
}
