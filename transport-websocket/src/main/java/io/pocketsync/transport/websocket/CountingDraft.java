package io.pocketsync.transport.websocket;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.java_websocket.drafts.Draft;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.framing.Framedata;
import org.java_websocket.handshake.Handshakedata;

/**
 * RFC 6455 that counts the bytes of every frame and handshake it builds for one connection. Java-WebSocket builds
 * each outbound buffer through the connection's draft (a {@link #copyInstance copy} made when the device's
 * handshake arrives) and puts it straight in the connection's write queue: our messages, pings, pongs, close frames
 * and the handshake response alike. With what {@link CountingChannel} saw written to the socket, this gives the
 * bytes queued in memory for the device, at no cost per message (summing the queue's buffers would cost one step
 * per queued frame, on every send).
 *
 * <p>Thread-safe: frames are built on whatever thread sends.
 */
final class CountingDraft extends Draft_6455 {
    private final AtomicLong built = new AtomicLong();

    /**
     * @param maxFrameBytes the largest frame the parser takes from the device
     */
    CountingDraft(int maxFrameBytes) {
        super(Collections.emptyList(), maxFrameBytes);
    }

    /** Bytes of every buffer built so far for this connection's write queue. */
    long built() {
        return built.get();
    }

    @Override
    public ByteBuffer createBinaryFrame(Framedata framedata) {
        ByteBuffer frame = super.createBinaryFrame(framedata);
        built.addAndGet(frame.remaining());
        return frame;
    }

    @Override
    public List<ByteBuffer> createHandshake(Handshakedata handshakedata, boolean withContent) {
        List<ByteBuffer> handshake = super.createHandshake(handshakedata, withContent);
        for (ByteBuffer buffer : handshake) {
            built.addAndGet(buffer.remaining());
        }
        return handshake;
    }

    @Override
    public Draft copyInstance() {
        return new CountingDraft(getMaxFrameSize());
    }
}
