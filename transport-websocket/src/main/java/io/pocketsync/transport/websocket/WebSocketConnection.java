package io.pocketsync.transport.websocket;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.codec.Codec;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.transport.Connection;
import io.pocketsync.api.transport.ConnectionListener;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.core.transport.MessageFraming;
import io.pocketsync.core.transport.OutboundLimit;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.exceptions.WebsocketNotConnectedException;
import org.java_websocket.framing.BinaryFrame;
import org.java_websocket.framing.DataFrame;
import org.java_websocket.framing.TextFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of one WebSocket. Outbound messages go to Java-WebSocket's write queue, bounded by an
 * {@link OutboundLimit} in bytes: what {@link CountingDraft} built for this connection less what
 * {@link CountingChannel} saw written to the socket (frames, pings and the handshake included), so the count costs
 * nothing per send. When {@code maxQueuedBytes} is spent the message is dropped, and once the queue has drained to
 * half an {@code ERROR CATCH_UP_REQUIRED} goes out (the connection joins the transport's {@code owing} set, whose
 * sweeper calls {@link #flushCatchUp}: it looks at the few connections that owe one, not at every connection).
 * {@code maxQueuedMessages} caps the frames too. Every write is reported to the {@link StalledWriteWatchdog}.
 *
 * <p>Thread-safe. Listener calls are made under this object's lock, so they never overlap, and no
 * message is delivered after {@code onClose}.
 */
final class WebSocketConnection implements Connection {
    private static final Logger log = LoggerFactory.getLogger(WebSocketConnection.class);
    private static final AtomicLong IDS = new AtomicLong();

    private final WebSocket socket;
    private final CountingDraft draft;
    private final CountingChannel channel;
    private final String id;
    private final String remoteAddress;
    private final OutboundLimit outbound;
    private final StalledWriteWatchdog watchdog;
    private final MessageFraming framing;
    private final SharedEncoding encoding;
    private final Set<WebSocketConnection> owing;
    private volatile Codec codec;
    private ConnectionListener listener;
    private volatile boolean closing;
    private boolean closeDelivered;

    WebSocketConnection(WebSocket socket, Codec initialCodec, long maxQueuedBytes, int maxQueuedMessages,
            StalledWriteWatchdog watchdog, int maxFrameBytes, int maxAssembledBytes, SharedEncoding encoding,
            Set<WebSocketConnection> owing) {
        this.socket = requireNonNull(socket, "socket is null");
        this.encoding = requireNonNull(encoding, "encoding is null");
        this.owing = requireNonNull(owing, "owing is null");
        // the server's drafts and channels count (CountingServerFactory); anything else counts as empty
        this.draft = socket instanceof WebSocketImpl impl && impl.getDraft() instanceof CountingDraft counting ? counting : null;
        this.channel = socket instanceof WebSocketImpl impl && impl.getChannel() instanceof CountingChannel counting ? counting
                : null;
        this.codec = requireNonNull(initialCodec, "initialCodec is null");
        this.watchdog = requireNonNull(watchdog, "watchdog is null");
        this.id = "ws-" + IDS.incrementAndGet();
        this.remoteAddress = String.valueOf(socket.getRemoteSocketAddress());
        this.framing = new MessageFraming(id + " (" + remoteAddress + ")", maxFrameBytes, maxAssembledBytes, true);
        this.outbound = new OutboundLimit(id + " (" + remoteAddress + ")", maxQueuedBytes, maxQueuedMessages,
                new OutboundLimit.Queue() {
                    @Override
                    public long queuedBytes() {
                        return WebSocketConnection.this.queuedBytes();
                    }

                    @Override
                    public int queuedMessages() {
                        return socket instanceof WebSocketImpl impl ? impl.outQueue.size() : 0;
                    }

                    @Override
                    public boolean write(Message message, long room) {
                        return WebSocketConnection.this.write(message, room);
                    }
                });
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String transport() {
        return "websocket";
    }

    @Override
    public String remoteAddress() {
        return remoteAddress;
    }

    @Override
    public Optional<String> peerAddress() {
        return PendingSockets.hostOf(socket.getRemoteSocketAddress());
    }

    @Override
    public int maxFrameBytes() {
        return framing.maxFrameBytes();
    }

    @Override
    public int maxAssembledBytes() {
        return framing.maxAssembledBytes();
    }

    /** The connection's frames: fragments being rebuilt, and what the device's HELLO said it rebuilds. */
    MessageFraming framing() {
        return framing;
    }

    /** Built for this socket and not yet written to it: what its write queue holds, in bytes. */
    @Override
    public long queuedBytes() {
        if (draft == null || channel == null) {
            return 0;
        }
        return Math.max(0, draft.built() - channel.written());
    }

    @Override
    public boolean send(Message message) {
        requireNonNull(message, "message is null");
        if (!isOpen()) {
            return false;
        }
        if (outbound.send(message)) {
            return true;
        }
        if (outbound.catchUpOwed()) {
            owing.add(this); // the sweeper sends the owed ERROR once the queue drained to half
        }
        return false;
    }

    /** Sends the owed {@code ERROR CATCH_UP_REQUIRED} if the queue has drained to half; see {@link OutboundLimit}. */
    boolean flushCatchUp() {
        return outbound.flushCatchUp();
    }

    boolean catchUpOwed() {
        return outbound.catchUpOwed();
    }

    @Override
    public void close(ErrorCode code, String reason) {
        String text = reason == null && code != null ? code.name() : reason;
        // an ERROR reads the same in every version: the oldest we speak is one every device decodes
        if (!outbound.close(code == null ? null : new ErrorMessage(ProtocolVersion.MIN_SUPPORTED, code, text, null))) {
            return;
        }
        closing = true;
        if (code == null) {
            socket.close(org.java_websocket.framing.CloseFrame.NORMAL, CloseCodes.reason(text));
        }
        else {
            socket.close(CloseCodes.toCloseCode(code), CloseCodes.reason(text));
        }
    }

    @Override
    public boolean isOpen() {
        return !closing && socket.isOpen();
    }

    /** The device's latest frame decides the encoding of the answers. */
    void useCodec(Codec deviceCodec) {
        this.codec = deviceCodec;
    }

    synchronized void open(ConnectionListener newListener) {
        this.listener = requireNonNull(newListener, "listener is null");
    }

    synchronized void deliver(Message message) {
        if (closeDelivered || listener == null) {
            return;
        }
        try {
            listener.onMessage(message);
        }
        catch (RuntimeException e) {
            log.warn("connection {}: listener failed on {}", id, message.type(), e);
        }
    }

    synchronized void closed() {
        closing = true;
        outbound.close(null);
        framing.reset();
        if (closeDelivered) {
            return;
        }
        closeDelivered = true;
        if (listener != null) {
            try {
                listener.onClose();
            }
            catch (RuntimeException e) {
                log.warn("connection {}: listener failed on close", id, e);
            }
        }
    }

    private boolean write(Message message, long room) {
        Codec current = codec;
        // a broadcast's message is encoded once for every connection that gets it (SharedEncoding)
        byte[] bytes = encoding.encode(message, current);
        if (bytes.length > room) {
            return false;
        }
        try {
            return framing.send(bytes, current.textual(), message.type().name(), (frame, text) -> {
                // the encoded bytes go into the frame as they are: no String and no second UTF-8 encoding per device
                DataFrame data = text ? new TextFrame() : new BinaryFrame();
                data.setPayload(ByteBuffer.wrap(frame));
                socket.sendFrame(data);
                watchdog.written(socket);
                return true;
            });
        }
        catch (PocketSyncException e) {
            // larger than the device rebuilds: dropped, and the device pulls it (a page holds one row at least)
            log.warn("connection {}: {} not sent: {}", id, message.type(), e.getMessage());
            return false;
        }
        catch (WebsocketNotConnectedException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "WebSocketConnection[" + id + ", " + remoteAddress + "]";
    }
}
