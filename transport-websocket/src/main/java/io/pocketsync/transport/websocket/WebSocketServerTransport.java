package io.pocketsync.transport.websocket;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.FatalErrorHandler;
import io.pocketsync.api.Health;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.codec.Codec;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.core.transport.FragmentAssembler;
import io.pocketsync.api.transport.ServerTransport;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketServerFactory;
import org.java_websocket.drafts.Draft;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.handshake.ServerHandshakeBuilder;
import org.java_websocket.server.DefaultSSLWebSocketServerFactory;
import org.java_websocket.server.DefaultWebSocketServerFactory;
import org.java_websocket.server.WebSocketServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket server transport: binds {@code host:port}, accepts devices on {@code path}, decodes
 * text frames as JSON and binary frames as CBOR, and answers each device in the encoding it used.
 *
 * <p>Limits: a message over {@code max-message-bytes} gets {@code ERROR MESSAGE_TOO_LARGE} and closes its
 * connection (frames far over the limit are refused by the frame parser before they are buffered);
 * anything that does not decode gets an ERROR with the codec's code and closes its connection. Pings go
 * out every {@code heartbeat-interval}; a peer that does not answer is dropped. What is queued for one device
 * is bounded by {@code max-queued-bytes} (see {@link WebSocketConnection}).
 *
 * <p>Health: down once the listener (Java-WebSocket's selector thread) has died; that is also reported to the
 * context's {@link FatalErrorHandler} ({@link ListenerWatch}).
 * A socket that has not finished the WebSocket upgrade within {@code handshake-timeout} is closed, and at most
 * {@code max-pending-handshakes-per-address} such sockets of one IP address are kept ({@link PendingSockets}).
 *
 * <p>Thread-safe. Started once, closed once.
 */
public final class WebSocketServerTransport implements ServerTransport {
    private static final Logger log = LoggerFactory.getLogger(WebSocketServerTransport.class);

    private final WebSocketServerConfig config;
    private final Codec defaultCodec;
    private final Codec textCodec;
    private final Codec binaryCodec;
    private final Set<WebSocketConnection> connections = ConcurrentHashMap.newKeySet();
    private final SharedEncoding encoding = new SharedEncoding();
    /** Connections that dropped a message and owe their device an ERROR CATCH_UP_REQUIRED. */
    private final Set<WebSocketConnection> owing = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ScheduledExecutorService sweeper;
    private final FatalErrorHandler fatalErrors;
    private volatile Server server;
    private volatile ListenerWatch listener;
    private volatile Acceptor acceptor;
    private volatile StalledWriteWatchdog watchdog;
    private volatile PendingSockets pendingSockets;

    /**
     * A transport not bound yet; {@link #start} binds.
     *
     * @param config the validated settings
     * @param context engine services (codecs)
     */
    public WebSocketServerTransport(WebSocketServerConfig config, PluginContext context) {
        this.config = requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        this.defaultCodec = context.codec(config.codec());
        this.textCodec = context.codec("json");
        this.binaryCodec = context.codec("cbor");
        this.fatalErrors = context.fatalErrors();
        this.sweeper = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "pocketsync-ws-sweeper");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public void start(Acceptor newAcceptor) {
        requireNonNull(newAcceptor, "acceptor is null");
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("already started");
        }
        this.acceptor = newAcceptor;
        // frames far above the limit are refused by the parser; those a little above get a proper ERROR
        int frameLimit = (int) Math.min(Integer.MAX_VALUE, Math.max(64 * 1024L, config.maxMessageBytes() * 2L));
        // each connection's copy of the draft and its channel count the bytes queued for the device
        Server created = new Server(new InetSocketAddress(config.host(), config.port()), List.of(new CountingDraft(frameLimit)));
        created.setReuseAddr(true);
        created.setTcpNoDelay(true);
        created.setConnectionLostTimeout((int) config.heartbeatInterval().toSeconds());
        WebSocketServerFactory factory = config.keystorePath().<WebSocketServerFactory>map(path -> new DefaultSSLWebSocketServerFactory(
                TlsContexts.server(path, config.keystorePassword(), config.keystoreType()))).orElseGet(DefaultWebSocketServerFactory::new);
        // sockets not yet upgraded are bounded in time and per address; every channel counts the bytes it writes
        PendingSockets pending = new PendingSockets(new CountingServerFactory(factory), config.handshakeTimeout(),
                config.maxPendingPerAddress());
        created.setWebSocketFactory(pending);
        this.pendingSockets = pending;
        this.server = created;
        this.watchdog = new StalledWriteWatchdog(created, sweeper);
        ListenerWatch watch = new ListenerWatch(() -> config.host() + ":" + created.getPort(), fatalErrors);
        this.listener = watch;
        // our own thread instead of created.start(): its end (or an Error escaping it) is a dead listener
        watch.start(created, created.isDaemon());
        try {
            created.started.get(30, TimeUnit.SECONDS);
        }
        catch (Exception e) {
            watch.closing();
            stopQuietly(created);
            Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
            throw new PocketSyncException(ErrorCode.TRANSPORT_CLOSED,
                    "cannot bind WebSocket server to " + config.host() + ":" + config.port() + ": " + cause, cause);
        }
        sweeper.scheduleWithFixedDelay(this::flushCatchUps, 50, 50, TimeUnit.MILLISECONDS);
        long sweepMillis = Math.max(50, Math.min(1000, config.handshakeTimeout().toMillis() / 4));
        sweeper.scheduleWithFixedDelay(pending::sweep, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
        log.info("WebSocket server listening on {}", uri());
    }

    /**
     * The bound port (useful with {@code port=0}); valid after {@link #start}.
     *
     * @return the port
     * @throws IllegalStateException before {@link #start}
     */
    public int port() {
        Server current = server;
        if (current == null) {
            throw new IllegalStateException("not started");
        }
        return current.getPort();
    }

    /**
     * The URI devices connect to; valid after {@link #start}.
     *
     * @return {@code ws://} or {@code wss://}, host, bound port and path
     * @throws IllegalStateException before {@link #start}
     */
    public URI uri() {
        String scheme = config.keystorePath().isPresent() ? "wss" : "ws";
        return URI.create(scheme + "://" + config.host() + ":" + port() + config.path());
    }

    @Override
    public Optional<URI> address() {
        return server == null ? Optional.empty() : Optional.of(uri());
    }

    @Override
    public int connectionCount() {
        return connections.size();
    }

    /** Down once the listener died (and after {@link #close}); see {@link ListenerWatch}. */
    @Override
    public Health health() {
        ListenerWatch watch = listener;
        if (closed.get()) {
            return Health.down("WebSocket transport closed");
        }
        return watch == null ? Health.down("WebSocket transport not started") : watch.health();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        sweeper.shutdownNow();
        ListenerWatch watch = listener;
        if (watch != null) {
            watch.closing();
        }
        Server current = server;
        if (current != null) {
            stopQuietly(current);
        }
        // Java-WebSocket may stop before it reports every close; the listeners still hear of each one
        for (WebSocketConnection connection : connections) {
            connection.closed();
        }
        connections.clear();
        log.info("WebSocket server on {}:{} closed", config.host(), config.port());
    }

    private void flushCatchUps() {
        for (WebSocketConnection connection : owing) {
            if (!connection.isOpen() || connection.flushCatchUp()) {
                owing.remove(connection);
            }
        }
    }

    private static void stopQuietly(Server current) {
        try {
            current.stop(1000, "server shutting down");
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void receive(WebSocket socket, byte[] bytes, boolean textFrame) {
        WebSocketConnection connection = socket.getAttachment();
        if (connection == null || !connection.isOpen()) {
            return;
        }
        if (bytes.length > config.maxMessageBytes()) {
            connection.close(ErrorCode.MESSAGE_TOO_LARGE,
                    "message of " + bytes.length + " bytes exceeds the maximum of " + config.maxMessageBytes());
            return;
        }
        Message message;
        Codec codec = textFrame ? textCodec : binaryCodec;
        try {
            FragmentAssembler.Whole whole = connection.framing().receive(bytes, textFrame);
            if (whole == null) {
                return;
            }
            codec = whole.textual() ? textCodec : binaryCodec;
            connection.useCodec(codec);
            message = codec.decode(whole.bytes());
            if (message instanceof Hello hello) {
                connection.framing().peer(0, hello.maxAssembledBytes());
            }
        }
        catch (PocketSyncException e) {
            log.debug("connection {}: undecodable message: {}", connection.id(), e.getMessage());
            connection.close(e.code(), e.getMessage());
            return;
        }
        catch (RuntimeException e) {
            log.warn("connection {}: codec {} failed with a raw exception", connection.id(), codec.name(), e);
            connection.close(ErrorCode.MALFORMED_MESSAGE, "malformed message");
            return;
        }
        connection.deliver(message);
    }

    /** The Java-WebSocket server; its callbacks come from its selector and worker threads. */
    private final class Server extends WebSocketServer {
        final CompletableFuture<Void> started = new CompletableFuture<>();

        Server(InetSocketAddress address, List<Draft> drafts) {
            super(address, drafts);
        }

        @Override
        public ServerHandshakeBuilder onWebsocketHandshakeReceivedAsServer(WebSocket socket, Draft draft,
                ClientHandshake request) throws InvalidDataException {
            String resource = request.getResourceDescriptor();
            int query = resource.indexOf('?');
            String path = query < 0 ? resource : resource.substring(0, query);
            if (!path.equals(config.path())) {
                notFound(socket, path);
                throw new InvalidDataException(CloseFrame.POLICY_VALIDATION, "unknown path");
            }
            return super.onWebsocketHandshakeReceivedAsServer(socket, draft, request);
        }

        /**
         * Answers a handshake for another path with a 404 that names the path this server serves, so the device can say
         * what was wrong. Java-WebSocket answers a refused handshake with a fixed 404 of its own; this one is queued
         * first, and the device reads only the first status line.
         */
        private void notFound(WebSocket socket, String path) {
            log.info("refused a WebSocket connection from {} to {}: devices connect to {}", socket.getRemoteSocketAddress(),
                    path, config.path());
            if (socket instanceof org.java_websocket.WebSocketImpl impl) {
                String body = "No PocketSync endpoint at this path; it serves " + config.path() + "\n";
                impl.outQueue.offer(ByteBuffer.wrap(("HTTP/1.1 404 No PocketSync endpoint here; it serves " + config.path()
                        + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " + body.length()
                        + "\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8)));
            }
        }

        @Override
        public void onStart() {
            // Java-WebSocket named the selector thread after its id; a name saying whose it is helps in thread dumps
            Thread.currentThread().setName("pocketsync-ws-listener-" + getPort());
            listener.listening();
            started.complete(null);
        }

        @Override
        public void onOpen(WebSocket socket, ClientHandshake handshake) {
            // upgraded: from here on the engine bounds the time to HELLO and the pending handshakes per address
            pendingSockets.upgraded(socket);
            WebSocketConnection connection = new WebSocketConnection(socket, defaultCodec, config.maxQueuedBytes(),
                    config.maxQueuedMessages(), watchdog, config.maxMessageBytes(), config.maxAssembledBytes(), encoding, owing);
            socket.setAttachment(connection);
            if (closed.get()) {
                connection.close(ErrorCode.SHUTTING_DOWN, "server shutting down");
                return;
            }
            connections.add(connection);
            try {
                connection.open(acceptor.onOpen(connection));
            }
            catch (RuntimeException e) {
                log.warn("acceptor failed for {}", connection, e);
                connection.close(ErrorCode.INTERNAL, "internal error");
            }
        }

        @Override
        public void onMessage(WebSocket socket, String text) {
            receive(socket, text.getBytes(StandardCharsets.UTF_8), true);
        }

        @Override
        public void onMessage(WebSocket socket, ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            receive(socket, bytes, false);
        }

        @Override
        public void onClose(WebSocket socket, int code, String reason, boolean remote) {
            WebSocketConnection connection = socket.getAttachment();
            if (connection != null) {
                connections.remove(connection);
                connection.closed();
                log.debug("connection {} closed ({} {})", connection.id(), code, reason);
            }
        }

        @Override
        public void onError(WebSocket socket, Exception e) {
            if (socket == null) {
                // before onStart: the port could not be bound (start() reports it); after: the listener is dying
                if (!started.completeExceptionally(e) && !closed.get()) {
                    listener.serverError(e);
                }
                return;
            }
            if (FatalErrorHandler.isVirtualMachineError(e)) {
                // a worker caught an OutOfMemoryError; Java-WebSocket now stops the whole server
                listener.serverError(e);
                return;
            }
            log.debug("WebSocket error on {}", socket.getRemoteSocketAddress(), e);
        }
    }
}
