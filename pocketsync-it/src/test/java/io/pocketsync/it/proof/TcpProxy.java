package io.pocketsync.it.proof;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A small TCP proxy 127.0.0.1:listen → 127.0.0.1:target for network faults:
 * {@link Mode#FORWARD}; {@link Mode#DROP} refuses new connections and cuts open ones (a network cut);
 * {@link Mode#DELAY} forwards every chunk after a pause (a slow link); {@link Mode#HALF_OPEN} keeps
 * the sockets open but stops forwarding (a dead peer that never says so).
 */
final class TcpProxy implements AutoCloseable {
    enum Mode { FORWARD, DROP, DELAY, HALF_OPEN }

    private final ServerSocket server;
    private final int target;
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "tcp-proxy");
        thread.setDaemon(true);
        return thread;
    });
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile Mode mode = Mode.FORWARD;
    private volatile long delayMillis = 50;

    TcpProxy(int target) throws IOException {
        this.target = target;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        threads.execute(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    void mode(Mode value) {
        mode = value;
        if (value == Mode.DROP) {
            for (Socket socket : open) {
                closeQuietly(socket);
            }
        }
    }

    void delay(long millis) {
        delayMillis = millis;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (mode == Mode.DROP) {
                    closeQuietly(client);
                    continue;
                }
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                open.add(client);
                open.add(upstream);
                threads.execute(() -> pump(client, upstream));
                threads.execute(() -> pump(upstream, client));
            }
            catch (IOException e) {
                // closed, or the target is down: the client sees its connection fail and retries
            }
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                if (mode == Mode.HALF_OPEN) {
                    continue; // swallow the bytes and say nothing: only a heartbeat can notice
                }
                if (mode == Mode.DROP) {
                    break;
                }
                if (mode == Mode.DELAY) {
                    TimeUnit.MILLISECONDS.sleep(delayMillis);
                }
                out.write(buffer, 0, read);
                out.flush();
            }
        }
        catch (IOException | InterruptedException e) {
            // one side went away
        }
        finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        }
        catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : open) {
            closeQuietly(socket);
        }
        threads.shutdownNow();
    }
}
