package io.pocketsync.benchmarks;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Welcome;
import io.pocketsync.api.transport.Connection;
import io.pocketsync.api.transport.ConnectionListener;
import io.pocketsync.server.engine.SyncServer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A protocol client wired straight into a {@link SyncServer} without a network: the "in-JVM path"
 * that measures the engine and the store, not a transport.
 */
final class InJvmDevice implements Connection {
    private final BlockingQueue<Message> inbox = new LinkedBlockingQueue<>();
    private final String deviceId;
    private final ConnectionListener listener;
    private volatile boolean open = true;

    InJvmDevice(SyncServer server, String deviceId) {
        this.deviceId = deviceId;
        this.listener = server.accept(this);
    }

    /** Sends HELLO and waits for WELCOME. */
    Welcome hello(String scope, String token, long cursor) throws InterruptedException {
        send(new Hello(ProtocolVersion.CURRENT, deviceId, scope, token, cursor, Hlc.of(System.currentTimeMillis(), 0)),
                null);
        return await(Welcome.class);
    }

    /** Hands a message to the server as if it came from the network. */
    void send(Message message, Object unused) {
        listener.onMessage(message);
    }

    /** The next message of {@code type}, skipping others (e.g. live broadcasts). */
    <T extends Message> T await(Class<T> type) throws InterruptedException {
        while (true) {
            Message message = inbox.poll(60, TimeUnit.SECONDS);
            if (message == null) {
                throw new IllegalStateException("no " + type.getSimpleName() + " within 60 s");
            }
            if (type.isInstance(message)) {
                return type.cast(message);
            }
        }
    }

    @Override
    public String id() {
        return deviceId;
    }

    @Override
    public String transport() {
        return "in-jvm";
    }

    @Override
    public String remoteAddress() {
        return "in-jvm";
    }

    @Override
    public boolean send(Message message) {
        return open && inbox.offer(message);
    }

    @Override
    public void close(ErrorCode code, String reason) {
        if (open) {
            open = false;
            listener.onClose();
        }
    }

    @Override
    public boolean isOpen() {
        return open;
    }
}
