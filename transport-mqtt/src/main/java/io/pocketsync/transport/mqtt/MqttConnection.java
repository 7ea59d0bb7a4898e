package io.pocketsync.transport.mqtt;

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
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A virtual connection: one device's topic pair, from its HELLO (or first message) until it says
 * goodbye, a new HELLO starts over, it idles out or the server closes it.
 *
 * <p>The outbound bound ({@link OutboundLimit}) counts the bytes of publishes the broker has not yet accepted (QoS 1
 * PUBACK), which the client holds in memory until then, and their number: a broker that falls behind makes
 * {@link #send} drop and owe an {@code ERROR CATCH_UP_REQUIRED}, sent once half has completed. Publishing never
 * waits for the broker. A device that reads slowly is the broker's business (its queue limit drops messages;
 * catch-up heals that).
 *
 * <p>Thread-safe. Listener calls are made under this object's lock and never after {@code onClose}.
 */
final class MqttConnection implements Connection {
    private static final Logger log = LoggerFactory.getLogger(MqttConnection.class);
    private static final AtomicLong IDS = new AtomicLong();

    /** The bridge's current broker client (it may replace a client whose reconnect got stuck). */
    private final Supplier<IMqttAsyncClient> client;
    private final String downTopic;
    private final String scope;
    private final String device;
    private final String id;
    private final Runnable onClosed;
    private final AtomicInteger inflight = new AtomicInteger();
    private final AtomicLong inflightBytes = new AtomicLong();
    private final OutboundLimit outbound;
    private final MessageFraming framing;
    private volatile Codec codec;
    private volatile boolean closing;
    private volatile long lastSeenNanos = System.nanoTime();
    private ConnectionListener listener;
    private boolean closeDelivered;

    MqttConnection(Supplier<IMqttAsyncClient> client, String downTopic, String scope, String device, Codec codec,
            long maxQueuedBytes, int maxQueued, int maxFrameBytes, int maxAssembledBytes, Runnable onClosed) {
        this.client = requireNonNull(client, "client is null");
        this.downTopic = requireNonNull(downTopic, "downTopic is null");
        this.scope = requireNonNull(scope, "scope is null");
        this.device = requireNonNull(device, "device is null");
        this.codec = requireNonNull(codec, "codec is null");
        this.onClosed = requireNonNull(onClosed, "onClosed is null");
        this.id = "mqtt-" + IDS.incrementAndGet();
        this.framing = new MessageFraming(id + " (" + scope + "/" + device + ")", maxFrameBytes, maxAssembledBytes, true);
        this.outbound = new OutboundLimit(id + " (" + scope + "/" + device + ")", maxQueuedBytes, maxQueued,
                new OutboundLimit.Queue() {
                    @Override
                    public long queuedBytes() {
                        return inflightBytes.get();
                    }

                    @Override
                    public int queuedMessages() {
                        return inflight.get();
                    }

                    @Override
                    public boolean write(Message message, long room) {
                        return publish(message, room);
                    }
                });
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String transport() {
        return "mqtt";
    }

    /** Every node's bridge subscribes to the device topics: each sees this device's messages. */
    @Override
    public boolean seenByEveryNode() {
        return true;
    }

    @Override
    public String remoteAddress() {
        return "mqtt:" + scope + "/" + device;
    }

    @Override
    public Optional<String> addressedScope() {
        return Optional.of(scope);
    }

    @Override
    public Optional<String> addressedDevice() {
        return Optional.of(device);
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

    /** Bytes of publishes not yet acknowledged by the broker. */
    @Override
    public long queuedBytes() {
        return inflightBytes.get();
    }

    @Override
    public boolean send(Message message) {
        requireNonNull(message, "message is null");
        return isOpen() && outbound.send(message);
    }

    @Override
    public void close(ErrorCode code, String reason) {
        // an ERROR reads the same in every version: the oldest we speak is one every device decodes
        if (!outbound.close(code == null ? null
                : new ErrorMessage(ProtocolVersion.MIN_SUPPORTED, code, reason == null ? code.name() : reason, null))) {
            return;
        }
        closing = true;
        closed();
    }

    @Override
    public boolean isOpen() {
        return !closing;
    }

    void useCodec(Codec deviceCodec) {
        this.codec = deviceCodec;
        this.lastSeenNanos = System.nanoTime();
    }

    long lastSeenNanos() {
        return lastSeenNanos;
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

    /** Marks the connection closed and tells the listener, once. */
    void closed() {
        closing = true;
        outbound.close(null);
        framing.reset();
        synchronized (this) {
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
        onClosed.run();
    }

    private boolean publish(Message message, long room) {
        Codec current = codec;
        byte[] encoded = current.encode(message);
        if (encoded.length > room) {
            return false;
        }
        try {
            return framing.send(encoded, current.textual(), message.type().name(), (frame, text) -> publishFrame(frame));
        }
        catch (PocketSyncException e) {
            // larger than the device rebuilds: dropped, and the device pulls it (a page holds one row at least)
            log.warn("connection {}: {} not sent: {}", id, message.type(), e.getMessage());
            return false;
        }
    }

    private boolean publishFrame(byte[] payload) {
        int bytes = payload.length;
        inflight.incrementAndGet();
        inflightBytes.addAndGet(bytes);
        try {
            client.get().publish(downTopic, payload, 1, false, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    completed(bytes);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable failure) {
                    log.debug("connection {}: publish failed: {}", id, failure.toString());
                    completed(bytes);
                }
            });
            return true;
        }
        catch (MqttException e) {
            inflight.decrementAndGet();
            inflightBytes.addAndGet(-bytes);
            log.debug("connection {}: cannot publish: {}", id, e.toString());
            return false;
        }
    }

    private void completed(int bytes) {
        inflight.decrementAndGet();
        inflightBytes.addAndGet(-bytes);
        if (outbound.catchUpOwed()) {
            outbound.flushCatchUp();
        }
    }

    @Override
    public String toString() {
        return "MqttConnection[" + id + ", " + scope + "/" + device + "]";
    }
}
