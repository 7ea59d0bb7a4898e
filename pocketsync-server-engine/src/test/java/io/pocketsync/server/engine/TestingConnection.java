package io.pocketsync.server.engine;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.transport.Connection;
import io.pocketsync.api.transport.ConnectionListener;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A server-side connection that records what the engine sends. {@link #failSends(boolean)} makes it act
 * like a full outbound queue. Closing records the ERROR and calls the listener's {@code onClose}, as a
 * transport does.
 */
final class TestingConnection implements Connection {
    private static final AtomicInteger IDS = new AtomicInteger();
    /** Numbers every message any connection sends, so tests can tell which device was served first. */
    private static final AtomicLong SENDS = new AtomicLong();

    private final String id = "conn-" + IDS.incrementAndGet();
    private final String transport;
    private final String addressedScope;
    private final String addressedDevice;
    private final List<Message> sent = new CopyOnWriteArrayList<>();
    private final Map<Message, Long> sendNumbers = Collections.synchronizedMap(new IdentityHashMap<>());
    private volatile ConnectionListener listener;
    private volatile boolean open = true;
    private volatile boolean failSends;
    private volatile long queuedBytes;
    private volatile ErrorCode closeCode;
    private volatile String peerAddress;

    TestingConnection(String transport) {
        this(transport, null, null);
    }

    TestingConnection(String transport, String addressedScope, String addressedDevice) {
        this.transport = transport;
        this.addressedScope = addressedScope;
        this.addressedDevice = addressedDevice;
    }

    void attach(ConnectionListener value) {
        listener = value;
    }

    /** Delivers a message from the device, as a transport I/O thread does. */
    void receive(Message message) {
        listener.onMessage(message);
    }

    /** The network address the connection reports, as a WebSocket one does; none by default. */
    TestingConnection peerAddress(String value) {
        peerAddress = value;
        return this;
    }

    void failSends(boolean value) {
        failSends = value;
    }

    /** What {@link #queuedBytes()} reports: the bytes a transport would hold unread for this device. */
    void queuedBytes(long value) {
        queuedBytes = value;
    }

    @Override
    public long queuedBytes() {
        return queuedBytes;
    }

    List<Message> sent() {
        return new ArrayList<>(sent);
    }

    <T extends Message> List<T> sent(Class<T> type) {
        return sent.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** When {@code message} was sent, on a clock shared by all testing connections. */
    long sendNumber(Message message) {
        Long number = sendNumbers.get(message);
        if (number == null) {
            throw new IllegalArgumentException("not sent on " + id + ": " + message);
        }
        return number;
    }

    ErrorCode closeCode() {
        return closeCode;
    }

    void clear() {
        sent.clear();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String transport() {
        return transport;
    }

    @Override
    public String remoteAddress() {
        return "test:" + id;
    }

    @Override
    public Optional<String> peerAddress() {
        return Optional.ofNullable(peerAddress);
    }

    @Override
    public Optional<String> addressedScope() {
        return Optional.ofNullable(addressedScope);
    }

    @Override
    public Optional<String> addressedDevice() {
        return Optional.ofNullable(addressedDevice);
    }

    @Override
    public boolean send(Message message) {
        if (!open || failSends) {
            return false;
        }
        sendNumbers.put(message, SENDS.incrementAndGet());
        sent.add(message);
        return true;
    }

    @Override
    public void close(ErrorCode code, String reason) {
        if (!open) {
            return;
        }
        if (code != null) {
            sent.add(new ErrorMessage(ProtocolVersion.CURRENT, code, reason, null));
        }
        closeCode = code;
        open = false;
        ConnectionListener current = listener;
        if (current != null) {
            current.onClose();
        }
    }

    @Override
    public boolean isOpen() {
        return open;
    }
}
