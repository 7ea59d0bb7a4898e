package io.pocketsync.transport.websocket;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.channels.ByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.List;
import org.java_websocket.WebSocketAdapter;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.WebSocketServerFactory;
import org.java_websocket.drafts.Draft;

/**
 * Java-WebSocket's socket factory (plain or TLS) with every device channel wrapped in a {@link CountingChannel}.
 * Thread-safe as the factory it wraps.
 */
final class CountingServerFactory implements WebSocketServerFactory {
    private final WebSocketServerFactory delegate;

    CountingServerFactory(WebSocketServerFactory delegate) {
        this.delegate = requireNonNull(delegate, "delegate is null");
    }

    @Override
    public WebSocketImpl createWebSocket(WebSocketAdapter adapter, Draft draft) {
        return delegate.createWebSocket(adapter, draft);
    }

    @Override
    public WebSocketImpl createWebSocket(WebSocketAdapter adapter, List<Draft> drafts) {
        return delegate.createWebSocket(adapter, drafts);
    }

    @Override
    public ByteChannel wrapChannel(SocketChannel channel, SelectionKey key) throws IOException {
        return CountingChannel.wrap(delegate.wrapChannel(channel, key));
    }

    @Override
    public void close() {
        delegate.close();
    }
}
