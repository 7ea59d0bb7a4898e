package io.pocketsync.examples.todo;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.server.engine.auth.StaticTokenAuthenticator;
import io.pocketsync.core.config.DefaultPluginContext;
import io.pocketsync.core.config.Settings;
import io.pocketsync.core.discovery.Providers;
import io.pocketsync.server.engine.SyncServer;
import io.pocketsync.store.sqlite.SqliteServerStore;
import io.pocketsync.store.sqlite.SqliteStoreConfig;
import io.pocketsync.transport.websocket.WebSocketServerConfig;
import io.pocketsync.transport.websocket.WebSocketServerTransport;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * A sync server inside the app's own process: SQLite store, WebSocket on 127.0.0.1 with a free port,
 * and one static token that grants one scope. The standalone {@code pocketsync-server} does the same
 * from a config file; embedding it is handy for tests, demos and single-process tools.
 *
 * <p>Started by the constructor; {@link #close()} stops the parts in reverse order (transport, engine, store).
 */
final class EmbeddedSyncServer implements AutoCloseable {
    private static final String NODE_ID = "todo-server";

    private final SqliteServerStore store;
    private final SyncServer server;
    private final WebSocketServerTransport transport;

    /**
     * @param databaseFile the server's SQLite file
     * @param scope the one scope (user) this server serves
     * @param token the token that grants {@code scope}
     */
    EmbeddedSyncServer(Path databaseFile, String scope, String token) {
        requireNonNull(databaseFile, "databaseFile is null");
        Clock clock = Clock.systemUTC();
        store = new SqliteServerStore(SqliteStoreConfig.at(databaseFile), NODE_ID, clock);
        server = SyncServer.builder()
                .store(store)
                .authenticator(new StaticTokenAuthenticator(Map.of(scope, java.util.List.of(token))))
                .build();
        server.start();

        // The context gives plugins the codecs (JSON, CBOR) found on the classpath.
        PluginContext context = new DefaultPluginContext(NODE_ID, clock, Providers.codecs(), Settings.empty());
        transport = new WebSocketServerTransport(WebSocketServerConfig.from(PluginConfig.of("transport.websocket",
                Map.of("host", "127.0.0.1", "port", "0"))), context);
        transport.start(server::accept);
    }

    /** Where devices connect, e.g. {@code ws://127.0.0.1:49731/sync}. */
    URI uri() {
        return transport.uri();
    }

    @Override
    public void close() {
        transport.close();
        server.close();
        store.close();
    }
}
