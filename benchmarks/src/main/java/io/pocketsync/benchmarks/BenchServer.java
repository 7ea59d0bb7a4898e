package io.pocketsync.benchmarks;

import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.ChangesMode;
import io.pocketsync.api.store.ServerStore;
import io.pocketsync.core.config.Settings;
import io.pocketsync.server.engine.ServerListener;
import io.pocketsync.server.engine.SyncServer;
import io.pocketsync.server.engine.assembly.PocketSyncServer;
import io.pocketsync.server.engine.assembly.ServerAssembly;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A sync server as an operator would run it, from the keys {@code pocketsync server} reads: SQLite store,
 * WebSocket (and optionally MQTT), token auth.
 */
final class BenchServer implements AutoCloseable {
    static final String TOKEN = "bench-token";

    private final PocketSyncServer server;
    private final Semaphore sessionsOpened = new Semaphore(0);

    BenchServer(Path dir, String scope, String mqttUri, String mqttRoot) {
        this(dir, scope, mqttUri, mqttRoot, new ServerListener());
    }

    /** A server whose stored-change, store-latency and catch-up page events also go to {@code stored}. */
    BenchServer(Path dir, String scope, String mqttUri, String mqttRoot, ServerListener stored) {
        Map<String, String> keys = new LinkedHashMap<>(Map.of(
                // the node id names the server's MQTT client: a fixed one made runs sharing a broker take each other's connection
                "server.node-id", "bench-server-" + java.util.UUID.randomUUID().toString().substring(0, 8),
                "store.sqlite.path", dir.resolve("server.db").toString(),
                "server.auth", "static-token",
                "auth.static-token.tokens", scope + ":" + TOKEN,
                "server.transports", mqttUri == null ? "websocket" : "websocket,mqtt",
                "transport.websocket.port", "0"));
        // every benchmark device connects from 127.0.0.1, in bursts of hundreds: one address standing for a fleet
        keys.put("server.max-pending-handshakes-per-address", "1000000");
        keys.put("transport.websocket.max-pending-handshakes-per-address", "1000000");
        if (mqttUri != null) {
            keys.putAll(Map.of("transport.mqtt.uri", mqttUri, "transport.mqtt.topic-root", mqttRoot,
                    "transport.mqtt.max-queued-messages", "100000"));
        }
        server = ServerAssembly.of(Settings.of(keys)).start(new ServerListener() {
            @Override
            public void sessionOpened(Scope scope, String transport) {
                sessionsOpened.release();
            }

            @Override
            public void changesApplied(Scope scope, int count) {
                stored.changesApplied(scope, count);
            }

            @Override
            public void storeLatency(String operation, Duration duration) {
                stored.storeLatency(operation, duration);
            }

            @Override
            public void catchUpPage(Scope scope, ChangesMode mode, int rows, long bytes) {
                stored.catchUpPage(scope, mode, rows, bytes);
            }
        });
    }

    URI webSocketUri() {
        return server.address("websocket").orElseThrow();
    }

    ServerStore store() {
        return server.store();
    }

    SyncServer server() {
        return server.engine();
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
    }
}
