package io.pocketsync.transport.websocket;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.codec.Codec;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.api.transport.Endpoint;
import io.pocketsync.api.protocol.Welcome;
import io.pocketsync.core.transport.FragmentAssembler;
import io.pocketsync.core.transport.MessageFraming;
import io.pocketsync.core.transport.ReconnectScheduler;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.exceptions.WebsocketNotConnectedException;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.handshake.ServerHandshake;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device side of the WebSocket transport ({@code ws://}, {@code wss://}; a URI without a path
 * connects to {@code /sync}). Each connection attempt uses a fresh Java-WebSocket client; after a
 * close or a failed attempt the next one waits {@link io.pocketsync.api.transport.ReconnectPolicy#delay}
 * ({@link ReconnectScheduler}). Nagle is off ({@code TCP_NODELAY}) on both sides.
 *
 * <p>Thread-safe. Listener calls come from the current socket's read thread (or the reconnect thread),
 * one at a time under one lock; events of an older socket are dropped. A listener that blocks stops
 * this device reading, which the server notices as a full queue.
 */
public final class WebSocketClientTransport implements ClientTransport {
    private static final Logger log = LoggerFactory.getLogger(WebSocketClientTransport.class);

    private final WebSocketClientConfig config;
    private final PluginContext context;
    private final Codec codec;
    private final SSLContext tls;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object listenerLock = new Object();
    private final ReconnectScheduler reconnects;
    private volatile Socket current;
    private URI uri;
    private Listener listener;
    private volatile Codec textCodec;
    private volatile Codec binaryCodec;

    /**
     * A transport not connected yet; {@link #start} connects.
     *
     * @param config the validated settings
     * @param context engine services (codecs)
     */
    public WebSocketClientTransport(WebSocketClientConfig config, PluginContext context) {
        this.config = requireNonNull(config, "config is null");
        this.context = requireNonNull(context, "context is null");
        this.codec = context.codec(config.codec());
        this.tls = config.truststorePath()
                .map(path -> TlsContexts.client(path, config.truststorePassword(), config.truststoreType())).orElse(null);
        this.reconnects = new ReconnectScheduler("pocketsync-ws-reconnect", config.reconnect(), this::connect);
    }

    @Override
    public void start(Endpoint endpoint, Listener newListener) {
        requireNonNull(endpoint, "endpoint is null");
        requireNonNull(newListener, "listener is null");
        String scheme = String.valueOf(endpoint.uri().getScheme()).toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("ws") && !scheme.equals("wss")) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "WebSocket transport needs a ws:// or wss:// URI: "
                    + endpoint.uri());
        }
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("already started");
        }
        URI given = endpoint.uri();
        this.uri = given.getPath() == null || given.getPath().isEmpty() ? given.resolve("/sync") : given;
        this.listener = newListener;
        reconnects.connectNow();
    }

    @Override
    public boolean send(Message message) {
        requireNonNull(message, "message is null");
        Socket socket = current;
        if (closed.get() || socket == null || !socket.isOpen()) {
            return false;
        }
        byte[] bytes = codec.encode(message);
        try {
            return socket.framing.send(bytes, codec.textual(), message.type().name(), (frame, text) -> {
                if (text) {
                    socket.send(new String(frame, StandardCharsets.UTF_8));
                }
                else {
                    socket.send(frame);
                }
                return true;
            });
        }
        catch (WebsocketNotConnectedException e) {
            return false;
        }
    }

    @Override
    public int maxAssembledBytes() {
        return config.maxAssembledBytes();
    }

    @Override
    public boolean isConnected() {
        Socket socket = current;
        return !closed.get() && socket != null && socket.isOpen();
    }

    @Override
    public void reconnect() {
        Socket socket = current;
        if (socket != null) {
            socket.close(CloseFrame.NORMAL, "reconnecting");
        }
    }

    /** Makes no attempt for {@code delay}, and closes the connection the server refused (if it is still open). */
    @Override
    public void pause(java.time.Duration delay) {
        requireNonNull(delay, "delay is null");
        reconnects.holdFor(delay);
        Socket socket = current;
        if (socket != null && !socket.isClosed()) {
            socket.close(CloseFrame.NORMAL, "paused");
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        reconnects.close();
        Socket socket = current;
        if (socket != null) {
            socket.close(CloseFrame.NORMAL, "device closing");
        }
    }

    private void connect() {
        if (closed.get()) {
            return;
        }
        // frames far above our own limit mean a broken or hostile server
        int frameLimit = (int) Math.min(Integer.MAX_VALUE, Math.max(64 * 1024L, config.maxMessageBytes() * 4L));
        Socket socket = new Socket(uri, frameLimit);
        socket.setConnectionLostTimeout((int) config.heartbeatInterval().toSeconds());
        socket.setTcpNoDelay(true);
        if (tls != null) {
            socket.setSocketFactory(tls.getSocketFactory());
        }
        current = socket;
        socket.connect();
        // Java-WebSocket's connect timeout covers only the TCP connect: a peer (or middlebox) that accepts
        // the socket but never answers the upgrade would leave this attempt, and the device, waiting forever
        reconnects.after(config.connectTimeout(), () -> abandonIfNotOpen(socket));
    }

    private void abandonIfNotOpen(Socket socket) {
        if (socket.isOpen() || socket.isClosed() || current != socket) {
            return;
        }
        log.debug("no WebSocket handshake from {} within {}; trying again", uri, config.connectTimeout());
        socket.timedOut = true;
        java.net.Socket raw = socket.getSocket();
        try {
            if (raw != null) {
                raw.close(); // unblocks the read thread, which reports the close and schedules the next attempt
            }
            else {
                socket.closeConnection(CloseFrame.NEVER_CONNECTED, "handshake timed out");
            }
        }
        catch (java.io.IOException e) {
            socket.closeConnection(CloseFrame.NEVER_CONNECTED, "handshake timed out");
        }
    }

    private Codec codecFor(boolean textFrame) {
        if (codec.textual() == textFrame) {
            return codec;
        }
        if (textFrame) {
            if (textCodec == null) {
                textCodec = context.codec("json");
            }
            return textCodec;
        }
        if (binaryCodec == null) {
            binaryCodec = context.codec("cbor");
        }
        return binaryCodec;
    }

    /** One connection attempt; its callbacks run on its own read thread. */
    private final class Socket extends WebSocketClient {
        /** This attempt's frames: what the server's WELCOME allows, and fragments being rebuilt. */
        final MessageFraming framing = new MessageFraming("server " + uri, config.maxMessageBytes(), config.maxAssembledBytes(),
                false);
        /** Whether the handshake completed: a close before it is a failed attempt, which is told in words. */
        private volatile boolean opened;
        /** What the library reported before a close (a refused connection, an unknown host). */
        private volatile Exception lastError;
        /** Set when the handshake timed out. */
        volatile boolean timedOut;

        Socket(URI target, int frameLimit) {
            super(target, new Draft_6455(Collections.emptyList(), frameLimit), Map.of(),
                    (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()));
        }

        private boolean isCurrent() {
            return current == this && !closed.get();
        }

        @Override
        public void onOpen(ServerHandshake handshake) {
            synchronized (listenerLock) {
                if (!isCurrent()) {
                    close(CloseFrame.NORMAL, "superseded");
                    return;
                }
                opened = true;
                reconnects.connected();
                log.debug("connected to {}", uri);
                try {
                    listener.onConnected();
                }
                catch (RuntimeException e) {
                    log.warn("listener failed on connect", e);
                }
            }
        }

        @Override
        public void onMessage(String text) {
            receive(text.getBytes(StandardCharsets.UTF_8), true);
        }

        @Override
        public void onMessage(ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            receive(bytes, false);
        }

        private void receive(byte[] bytes, boolean textFrame) {
            Message message;
            try {
                FragmentAssembler.Whole whole = framing.receive(bytes, textFrame);
                if (whole == null) {
                    return;
                }
                message = codecFor(whole.textual()).decode(whole.bytes());
                if (message instanceof Welcome welcome) {
                    framing.peer(welcome.maxMessageBytes(), welcome.maxAssembledBytes());
                }
            }
            catch (PocketSyncException e) {
                log.warn("bad message from {}, reconnecting: {}", uri, e.getMessage());
                close(CloseCodes.toCloseCode(e.code()), CloseCodes.reason(e.getMessage()));
                return;
            }
            catch (RuntimeException e) {
                log.warn("undecodable message from {}, reconnecting: {}", uri, e.getMessage());
                close(CloseCodes.toCloseCode(ErrorCode.MALFORMED_MESSAGE), "malformed message");
                return;
            }
            synchronized (listenerLock) {
                if (!isCurrent()) {
                    return;
                }
                try {
                    listener.onMessage(message);
                }
                catch (RuntimeException e) {
                    log.warn("listener failed on {}", message.type(), e);
                }
            }
        }

        @Override
        public void onClose(int code, String reason, boolean remote) {
            synchronized (listenerLock) {
                if (!isCurrent()) {
                    return;
                }
                ErrorCode errorCode = CloseCodes.toErrorCode(code);
                String told = reason == null || reason.isEmpty() ? "connection closed" : reason;
                if (!opened) {
                    ConnectFailures.Failure failure = timedOut
                            ? new ConnectFailures.Failure(ErrorCode.TIMEOUT, "no WebSocket handshake from " + uri.getHost() + ":"
                                    + uri.getPort() + " within " + config.connectTimeout().toMillis() + " ms")
                            : ConnectFailures.describe(uri, reason, lastError);
                    errorCode = failure.code();
                    told = failure.reason();
                }
                log.debug("disconnected from {}: {} {} ({})", uri, code, reason, errorCode);
                try {
                    listener.onDisconnected(errorCode, told);
                }
                catch (RuntimeException e) {
                    log.warn("listener failed on disconnect", e);
                }
            }
            if (!closed.get()) {
                reconnects.retryLater();
            }
        }

        @Override
        public void onError(Exception e) {
            lastError = e;
            log.debug("WebSocket error with {}: {}", uri, e.toString());
        }
    }
}
