package io.pocketsync.transport.mqtt;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Plain sockets with {@code TCP_NODELAY} set, for {@code tcp://} brokers: Paho leaves Nagle's algorithm on.
 *
 * <p>With it on, the last segment of a large PUBLISH (a PUSH or a page of 1000 changes, some 250 KB) waits
 * until the broker acknowledges the segments before it, and the broker's stack delays that acknowledgement
 * by up to 40 ms when it has nothing to send back. The MQTT benchmark showed it as the end of every burst:
 * the last batch reached device B 44 ms after the server published it; with this factory the time from
 * device A's last PUSH to B's last apply fell from 59-103 ms to 28-80 ms. MQTT packets are written whole,
 * so nothing is gained by coalescing them.
 */
final class NoDelaySocketFactory extends SocketFactory {
    static final NoDelaySocketFactory INSTANCE = new NoDelaySocketFactory();

    private NoDelaySocketFactory() {}

    @Override
    public Socket createSocket() throws IOException {
        return noDelay(new Socket());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return noDelay(new Socket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localAddress, int localPort) throws IOException {
        return noDelay(new Socket(host, port, localAddress, localPort));
    }

    @Override
    public Socket createSocket(InetAddress address, int port) throws IOException {
        return noDelay(new Socket(address, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return noDelay(new Socket(address, port, localAddress, localPort));
    }

    private static Socket noDelay(Socket socket) throws IOException {
        socket.setTcpNoDelay(true);
        return socket;
    }

    /** The factory for a broker URI: this one for {@code tcp://}, Paho's own (null) for {@code ssl://}. */
    static SocketFactory forUri(String uri) {
        return uri.regionMatches(true, 0, "tcp://", 0, 6) ? INSTANCE : null;
    }
}
