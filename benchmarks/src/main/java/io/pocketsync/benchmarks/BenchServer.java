package io.pocketsync.benchmarks;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.api.store.ServerStoreProvider;
import io.pocketsync.api.transport.ServerTransport;
import io.pocketsync.api.transport.ServerTransportProvider;
import io.pocketsync.server.engine.auth.StaticTokenAuthenticator;
import io.pocketsync.server.engine.ServerListener;
import io.pocketsync.server.engine.ServerOptions;
import io.pocketsync.server.engine.SyncServer;
import io.pocketsync.server.engine.TableResolvers;
import io.pocketsync.transport.websocket.WebSocketServerTransport;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** A sync server as an operator would run it: SQLite store, WebSocket (and optionally MQTT), token auth. */
final class BenchServer implements AutoCloseable {
    static final String TOKEN = "bench-token";

    private final ServerStore store;
    private final SyncServer server;
    private final List<ServerTransport> transports = new ArrayList<>();
    private final WebSocketServerTransport webSocket;
    private final Semaphore sessionsOpened = new Semaphore(0);

    BenchServer(Path dir, String scope, String mqttUri, String mqttRoot) {
        this(dir, scope, mqttUri, mqttRoot, new ServerListener());
    }

    /** A server whose stored-change events also go to {@code stored} (for benchmarks that count them). */
    BenchServer(Path dir, String scope, String mqttUri, String mqttRoot, ServerListener stored) {
        BenchContext context = new BenchContext("bench-server");
        store = BenchContext.provider(ServerStoreProvider.class, "sqlite", ServerStoreProvider::name)
                .create(PluginConfig.of("store.sqlite", Map.of("path", dir.resolve("server.db").toString())), context);
        server = SyncServer.builder().store(store).authenticator(StaticTokenAuthenticator.parse(scope + ":" + TOKEN))
                .resolvers(TableResolvers.lastWriteWins()).options(ServerOptions.builder().nodeId("bench-server").build())
                .listener(new ServerListener() {
                    @Override
                    public void sessionOpened(Scope scope, String transport) {
                        sessionsOpened.release();
                    }

                    @Override
                    public void changesApplied(Scope scope, int count) {
                        stored.changesApplied(scope, count);
                    }
                })
                .build();
        server.start();
        webSocket = (WebSocketServerTransport) BenchContext.provider(ServerTransportProvider.class, "websocket",
                ServerTransportProvider::name).create(PluginConfig.of("transport.websocket", Map.of("port", "0")), context);
        webSocket.start(server::accept);
        transports.add(webSocket);
        if (mqttUri != null) {
            ServerTransport mqtt = BenchContext.provider(ServerTransportProvider.class, "mqtt", ServerTransportProvider::name)
                    .create(PluginConfig.of("transport.mqtt", Map.of("uri", mqttUri, "topic-root", mqttRoot,
                            "max-queued-messages", "100000")), context);
            mqtt.start(server::accept);
            transports.add(mqtt);
        }
    }

    URI webSocketUri() {
        return webSocket.uri();
    }

    ServerStore store() {
        return store;
    }

    SyncServer server() {
        return server;
    }

    /** Waits until {@code count} more device sessions have opened (HELLO accepted) since the last wait. */
    void awaitSessions(int count, Duration timeout) throws InterruptedException {
        if (!sessionsOpened.tryAcquire(count, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(count + " device sessions did not open within " + timeout);
        }
    }

    @Override
    public void close() {
        server.close();
        for (ServerTransport transport : transports) {
            transport.close();
        }
        store.close();
    }
}
