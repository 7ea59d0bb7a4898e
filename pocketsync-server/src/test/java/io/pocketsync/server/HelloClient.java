package io.pocketsync.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.handshake.ServerHandshake;

/**
 * One login attempt over a real WebSocket, as a guesser makes it: connect from a given loopback address, send a JSON
 * HELLO, and report the server's first answer ({@code WELCOME} or the {@code ERROR}'s code).
 */
final class HelloClient {
    private HelloClient() {}

    /**
     * @return {@code WELCOME}, the code of the ERROR the server answered, or {@code CLOSED} when it closed without one
     */
    static String attempt(URI server, String from, String scope, String device, String token) throws InterruptedException {
        CompletableFuture<String> answer = new CompletableFuture<>();
        WebSocketClient client = new WebSocketClient(server) {
            @Override
            public void onOpen(ServerHandshake handshake) {
                send("{\"type\":\"HELLO\",\"v\":1,\"device\":\"" + device + "\",\"scope\":\"" + scope + "\",\"token\":\""
                        + token + "\",\"cursor\":0,\"hlc\":0}");
            }

            @Override
            public void onMessage(String message) {
                answer.complete(message.contains("\"WELCOME\"") ? "WELCOME"
                        : message.replaceAll("(?s).*\"code\"\\s*:\\s*\"([A-Z_]+)\".*", "$1"));
            }

            @Override
            public void onMessage(ByteBuffer bytes) {
                answer.complete("BINARY");
            }

            @Override
            public void onClose(int code, String reason, boolean remote) {
                answer.complete("CLOSED " + code + " " + reason);
            }

            @Override
            public void onError(Exception e) {
                answer.complete("CLOSED " + e);
            }
        };
        client.setSocketFactory(new BoundSocketFactory(from));
        try {
            // not its result: the server may have answered and closed before it returns
            client.connectBlocking(10, TimeUnit.SECONDS);
            return answer.get(10, TimeUnit.SECONDS);
        }
        catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("no answer to HELLO", e);
        }
        finally {
            client.closeBlocking();
        }
    }

    /** Sockets bound to one local address, so that one test can speak from several. */
    private static final class BoundSocketFactory extends SocketFactory {
        private final String from;

        BoundSocketFactory(String from) {
            this.from = from;
        }

        @Override
        public Socket createSocket() throws IOException {
            Socket socket = new Socket();
            socket.bind(new InetSocketAddress(from, 0));
            return socket;
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            throw new UnsupportedOperationException();
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            throw new UnsupportedOperationException();
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            throw new UnsupportedOperationException();
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
            throw new UnsupportedOperationException();
        }
    }
}
