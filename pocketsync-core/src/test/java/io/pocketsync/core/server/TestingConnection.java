package io.pocketsync.core.server;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.transport.Connection;
import io.pocketsync.api.transport.ConnectionListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server-side connection that records what the engine sends. {@link #failSends(boolean)} makes it act
 * like a full outbound queue. Closing records the ERROR and calls the listener's {@code onClose}, as a
 * transport does.
 */
final class TestingConnection implements Connection {
    private static final AtomicInteger IDS = new AtomicInteger();

    private final String id = "conn-" + IDS.incrementAndGet();
    private final String transport;
    private final String addressedScope;
    private final String addressedDevice;
    private final List<Message> sent = new CopyOnWriteArrayList<>();
    private volatile ConnectionListener listener;
    private volatile boolean open = true;
    private volatile boolean failSends;
    private volatile ErrorCode closeCode;

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

    void failSends(boolean value) {
        failSends = value;
    }

    List<Message> sent() {
        return new ArrayList<>(sent);
    }

    <T extends Message> List<T> sent(Class<T> type) {
        return sent.stream().filter(type::isInstance).map(type::cast).toList();
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
