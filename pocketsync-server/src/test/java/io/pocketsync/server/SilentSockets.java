package io.pocketsync.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Sockets that connect to a server and then say nothing: plain TCP ones that never send the WebSocket upgrade, and
 * upgraded ones that never send HELLO. They only read, to tell when the server closed them.
 */
final class SilentSockets implements AutoCloseable {
    private final List<Socket> sockets = new ArrayList<>();

    /** A TCP connection from {@code from} (a loopback address such as 127.0.0.2) that never sends a byte. */
    Socket tcp(URI server, String from) {
        try {
            Socket socket = new Socket();
            sockets.add(socket);
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress(server.getHost(), server.getPort()), 5_000);
            return socket;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A connection that completes the WebSocket upgrade, then never sends a frame. */
    Socket upgraded(URI server, String from) {
        Socket socket = tcp(server, from);
        try {
            socket.getOutputStream().write(("GET " + server.getPath() + " HTTP/1.1\r\nHost: " + server.getHost() + ":"
                    + server.getPort() + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.setSoTimeout(5_000);
            StringBuilder response = new StringBuilder();
            InputStream in = socket.getInputStream();
            while (!response.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("closed during the upgrade; answer so far: " + response);
                }
                response.append((char) b);
            }
            if (!response.toString().startsWith("HTTP/1.1 101")) {
                throw new IOException("no upgrade: " + response);
            }
            return socket;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the server closed {@code socket}: whatever it sent before (an ERROR, a close frame) is read and dropped. */
    static boolean closedByServer(Socket socket) {
        try {
            socket.setSoTimeout(1);
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            while (true) {
                if (in.read(buffer) < 0) {
                    return true;
                }
            }
        }
        catch (SocketTimeoutException e) {
            return false;
        }
        catch (IOException e) {
            return true; // reset by the server
        }
    }

    /** How many of {@code list} the server closed. */
    static long closedCount(List<Socket> list) {
        return list.stream().filter(SilentSockets::closedByServer).count();
    }

    @Override
    public void close() {
        for (Socket socket : sockets) {
            try {
                socket.close();
            }
            catch (IOException e) {
                // closing a test socket: nothing to do
            }
        }
    }
}
