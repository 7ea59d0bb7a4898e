package io.pocketsync.core.transport;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.ProtocolVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bound on what one server connection has queued for its device ({@code Connection.send} never
 * blocks; docs/architecture.md 5.2): while the transport's queue holds {@code maxQueued} messages, {@link #send} drops
 * the message and the connection owes the device an {@code ERROR CATCH_UP_REQUIRED}, sent once the queue
 * has drained to half (by the next {@link #send}, or by {@link #flushCatchUp} from the transport's own
 * timer or completion callback), so the device pulls what it missed from its cursor. A slow device thus
 * never holds messages for the others, and never silently misses any.
 *
 * <p>The transport supplies the {@link Queue}: how many messages are queued (a socket's write queue, the
 * broker publishes not yet acknowledged), and how to write one. A failed write counts as a drop.
 *
 * <p>Thread-safe. The owed ERROR and the connection's last words ({@link #close}) are written under one
 * lock, so nothing follows the last words.
 */
public final class OutboundLimit {
    private static final Logger LOG = LoggerFactory.getLogger(OutboundLimit.class);

    /** What the limit needs of a connection's outbound queue. */
    public interface Queue {
        /**
         * Messages accepted and not yet gone.
         *
         * @return the queue length
         */
        int queued();

        /**
         * Encodes and queues a message without blocking; false when the connection cannot take it.
         *
         * @param message the message
         * @return whether it was queued
         */
        boolean write(Message message);
    }

    private final String connection;
    private final int maxQueued;
    private final Queue queue;
    private volatile boolean catchUpOwed;
    private volatile boolean closed;

    /**
     * @param connection names the connection in the log
     * @param maxQueued the most messages queued before sending drops (at least 1)
     * @param queue the connection's queue
     */
    public OutboundLimit(String connection, int maxQueued, Queue queue) {
        this.connection = requireNonNull(connection, "connection is null");
        if (maxQueued < 1) {
            throw new IllegalArgumentException("maxQueued must be positive");
        }
        this.maxQueued = maxQueued;
        this.queue = requireNonNull(queue, "queue is null");
    }

    /**
     * Queues {@code message} unless the queue is full or a catch-up is still owed.
     *
     * @param message the message
     * @return whether it was queued; false means dropped (the device will be told to catch up) or closed
     */
    public boolean send(Message message) {
        requireNonNull(message, "message is null");
        if (closed || catchUpOwed && !flushCatchUp()) {
            return false;
        }
        if (queue.queued() >= maxQueued || !queue.write(message)) {
            if (!catchUpOwed && !closed) {
                LOG.info("connection {}: outbound queue full ({} messages), dropping until it drains", connection, maxQueued);
            }
            catchUpOwed = true;
            return false;
        }
        return true;
    }

    /**
     * Sends the owed {@code ERROR CATCH_UP_REQUIRED} if the queue has drained to half.
     *
     * @return true when nothing is owed any more
     */
    public boolean flushCatchUp() {
        if (!catchUpOwed) {
            return true;
        }
        synchronized (this) {
            if (!catchUpOwed) {
                return true;
            }
            if (closed || queue.queued() > maxQueued / 2) {
                return false;
            }
            catchUpOwed = false;
            return queue.write(new ErrorMessage(ProtocolVersion.CURRENT, ErrorCode.CATCH_UP_REQUIRED,
                    "messages were dropped because the device did not keep up; pull from your cursor", null));
        }
    }

    /**
     * Whether an {@code ERROR CATCH_UP_REQUIRED} waits for the queue to drain.
     *
     * @return true from a drop until the error went out
     */
    public boolean catchUpOwed() {
        return catchUpOwed;
    }

    /**
     * Closes the limit: {@code lastWords} (if not null) is the last message written, whatever the bound.
     *
     * @param lastWords a message to queue before closing, or null
     * @return false when it was closed already (the caller has nothing more to do)
     */
    public synchronized boolean close(Message lastWords) {
        if (closed) {
            return false;
        }
        closed = true;
        if (lastWords != null) {
            queue.write(lastWords);
        }
        return true;
    }

    /**
     * Whether {@link #close} was called.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return closed;
    }
}
