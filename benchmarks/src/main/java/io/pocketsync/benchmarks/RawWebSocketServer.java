package io.pocketsync.benchmarks;

import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.java_websocket.WebSocket;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;

/** The WebSocket baselines' server: raw Java-WebSocket on an ephemeral loopback port, doing only what it is told. */
final class RawWebSocketServer {
    private RawWebSocketServer() {}

    /** A started server that hands every text message to {@code onMessage}; returns once it is bound. */
    static WebSocketServer start(boolean tcpNoDelay, BiConsumer<WebSocket, String> onMessage) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        WebSocketServer server = new WebSocketServer(new InetSocketAddress("127.0.0.1", 0)) {
            @Override
            public void onOpen(WebSocket conn, ClientHandshake handshake) {}

            @Override
            public void onClose(WebSocket conn, int code, String reason, boolean remote) {}

            @Override
            public void onMessage(WebSocket conn, String message) {
                onMessage.accept(conn, message);
            }

            @Override
            public void onError(WebSocket conn, Exception ex) {}

            @Override
            public void onStart() {
                started.countDown();
            }
        };
        server.setReuseAddr(true);
        server.setTcpNoDelay(tcpNoDelay);
        server.start();
        // getPort() answers -1 while the server socket is not bound yet
        if (!started.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("raw WebSocket server did not start");
        }
        return server;
    }
}
