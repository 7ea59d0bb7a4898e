package io.pocketsync.examples.todo;

import static java.util.Objects.requireNonNull;

import io.pocketsync.core.config.Settings;
import io.pocketsync.server.engine.assembly.PocketSyncServer;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * A sync server inside the app's own process: SQLite store, WebSocket on 127.0.0.1 with a free port,
 * and one static token that grants one scope. It is configured with the same keys as the standalone
 * {@code pocketsync server} reads from its file (see {@code docs/configuration.md}); embedding it is
 * handy for tests, demos and single-process tools.
 *
 * <p>Started by the constructor; {@link #close()} stops the engine, the transport and the store, in that order.
 */
final class EmbeddedSyncServer implements AutoCloseable {
    private final PocketSyncServer server;

    /**
     * @param databaseFile the server's SQLite file
     * @param scope the one scope (user) this server serves
     * @param token the token that grants {@code scope}
     */
    EmbeddedSyncServer(Path databaseFile, String scope, String token) {
        requireNonNull(databaseFile, "databaseFile is null");
        server = PocketSyncServer.start(Settings.of(Map.of(
                "server.node-id", "todo-server",
                "server.store", "sqlite",
                "store.sqlite.path", databaseFile.toString(),
                "server.auth", "static-token",
                "auth.static-token.tokens", scope + ":" + token,
                "server.transports", "websocket",
                "transport.websocket.host", "127.0.0.1",
                "transport.websocket.port", "0")));
    }

    /** Where devices connect, e.g. {@code ws://127.0.0.1:49731/sync}. */
    URI uri() {
        return server.address("websocket").orElseThrow();
    }

    @Override
    public void close() {
        server.close();
    }
}
