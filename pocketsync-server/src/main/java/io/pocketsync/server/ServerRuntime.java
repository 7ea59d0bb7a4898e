package io.pocketsync.server;

/** Placeholder until SyncServer lands. */
final class ServerRuntime implements AutoCloseable {
    static ServerRuntime start(ServerSettings settings) {
        throw new UnsupportedOperationException("server: waiting for SyncServer");
    }

    @Override
    public void close() {}
}
