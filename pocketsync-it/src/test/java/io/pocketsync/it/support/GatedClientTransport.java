package io.pocketsync.it.support;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ChangesMode;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.testkit.transport.ForwardingClientTransport;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Passes everything through, but while held blocks the transport's reading thread in the message callback: a device
 * that stops reading its socket (WebSocket) or its broker session (MQTT), as a hung app does.
 */
public final class GatedClientTransport extends ForwardingClientTransport {
    private final AtomicInteger live = new AtomicInteger();
    private volatile CountDownLatch gate = new CountDownLatch(0);

    /**
     * @param delegate the device's real transport
     */
    public GatedClientTransport(ClientTransport delegate) {
        super(delegate);
    }

    /** Stops passing messages on (the reading thread waits, for a minute at most) and counts LIVE ones from now. */
    public void hold() {
        live.set(0);
        gate = new CountDownLatch(1);
    }

    /** Passes messages on again. */
    public void release() {
        gate.countDown();
    }

    /**
     * LIVE messages passed to the engine since {@link #hold()}.
     *
     * @return the count
     */
    public int liveDelivered() {
        return live.get();
    }

    @Override
    protected Listener listening(Listener device) {
        return new Listener() {
            @Override
            public void onConnected() {
                device.onConnected();
            }

            @Override
            public void onMessage(Message message) {
                try {
                    gate.await(60, TimeUnit.SECONDS);
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (message instanceof Changes changes && changes.mode() == ChangesMode.LIVE) {
                    live.incrementAndGet();
                }
                device.onMessage(message);
            }

            @Override
            public void onDisconnected(ErrorCode code, String reason) {
                device.onDisconnected(code, reason);
            }
        };
    }

    @Override
    public void close() {
        release();
        super.close();
    }
}
