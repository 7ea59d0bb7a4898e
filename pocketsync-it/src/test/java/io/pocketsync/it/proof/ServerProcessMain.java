package io.pocketsync.it.proof;

import io.pocketsync.store.sqlite.SqliteServerStore;
import io.pocketsync.store.sqlite.SqliteStoreConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;

/**
 * A server in its own JVM for kill -9 tests: {@code ServerProcessMain <port> <db>} runs a
 * {@link io.pocketsync.server.engine.SyncServer} over the SQLite store at {@code db} with a WebSocket
 * listener on 127.0.0.1:{@code port}, prints {@code READY} and runs until killed.
 */
public final class ServerProcessMain {
    static final String READY = "READY";

    private ServerProcessMain() {}

    public static void main(String[] args) throws InterruptedException {
        int port = Integer.parseInt(args[0]);
        Path db = Path.of(args[1]);
        SqliteServerStore store = new SqliteServerStore(SqliteStoreConfig.at(db), "child", Clock.systemUTC());
        ServerNode node = ServerNode.of("child", store).websocket(port);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            store.close();
        }));
        System.out.println(READY);
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
