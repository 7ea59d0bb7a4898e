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
 * blocks; docs/architecture.md 5.2), in bytes of encoded messages: a message goes out while the transport's queue
 * holds less than {@code maxQueuedBytes} and the message fits in what is left (an empty queue takes one message of
 * any size, so a row larger than the budget still reaches a device that reads). Otherwise {@link #send} drops it
 * and the connection owes the device an {@code ERROR CATCH_UP_REQUIRED}; until that is sent every message is
 * dropped, live broadcasts and replies alike. The error goes out once the queue has drained to half (on the next
 * {@link #send}, or from {@link #flushCatchUp} called by the transport's own timer or completion callback), and the
 * device pulls what it missed from its cursor: catch-up pages are pulled one at a time, so they are bounded too. A
 * slow or stalled device thus holds at most about {@code maxQueuedBytes} of the heap (plus one message per thread
 * sending at the same moment), never holds messages for the others, and never silently misses any.
 *
 * <p>A second bound, {@code maxQueuedMessages}, caps the number of queued messages (or frames), for the per-message
 * overhead of very small ones.
 *
 * <p>The transport supplies the {@link Queue}: how much is queued (a socket's write queue, the broker publishes not
 * yet acknowledged), and how to write one message. A failed write counts as a drop.
 *
 * <p>Thread-safe. The owed ERROR and the connection's last words ({@link #close}) are written under one
 * lock, so nothing follows the last words.
 */
public final class OutboundLimit {
    private static final Logger LOG = LoggerFactory.getLogger(OutboundLimit.class);

    /** What the limit needs of a connection's outbound queue. */
    public interface Queue {
        /**
         * Bytes accepted and not yet gone, as they sit in memory (encoded, with framing).
         *
         * @return bytes, at least 0; cheap to ask
         */
        long queuedBytes();

        /**
         * Messages (or frames) accepted and not yet gone.
         *
         * @return the queue length
         */
        int queuedMessages();

        /**
         * Encodes and queues a message without blocking, unless its encoding needs more than {@code room} bytes.
         *
         * @param message the message
         * @param room the most bytes the message may add to the queue; {@link Long#MAX_VALUE} for no bound
         * @return whether it was queued
         */
        boolean write(Message message, long room);
    }

    private final String connection;
    private final long maxQueuedBytes;
    private final int maxQueuedMessages;
    private final Queue queue;
    private volatile boolean catchUpOwed;
    private volatile boolean closed;

    /**
     * @param connection names the connection in the log
     * @param maxQueuedBytes the byte budget of the queue (at least 1)
     * @param maxQueuedMessages the most messages queued before sending drops (at least 1)
     * @param queue the connection's queue
     */
    public OutboundLimit(String connection, long maxQueuedBytes, int maxQueuedMessages, Queue queue) {
        this.connection = requireNonNull(connection, "connection is null");
        if (maxQueuedBytes < 1) {
            throw new IllegalArgumentException("maxQueuedBytes must be positive");
        }
        if (maxQueuedMessages < 1) {
            throw new IllegalArgumentException("maxQueuedMessages must be positive");
        }
        this.maxQueuedBytes = maxQueuedBytes;
        this.maxQueuedMessages = maxQueuedMessages;
        this.queue = requireNonNull(queue, "queue is null");
    }

    /**
     * Queues {@code message} unless the budget is spent or a catch-up is still owed.
     *
     * @param message the message
     * @return whether it was queued; false means dropped (the device will be told to catch up) or closed
     */
    public boolean send(Message message) {
        requireNonNull(message, "message is null");
        if (closed || catchUpOwed && !flushCatchUp()) {
            return false;
        }
        long queued = queue.queuedBytes();
        long room = queued <= 0 ? Long.MAX_VALUE : maxQueuedBytes - queued;
        if (room <= 0 || queue.queuedMessages() >= maxQueuedMessages || !queue.write(message, room)) {
            if (!catchUpOwed && !closed) {
                LOG.info("connection {}: {} dropped with {} bytes in {} messages queued (budget {} bytes, {} messages);"
                        + " dropping until the device has read half, then telling it to catch up", connection,
                        message.type(), queued, queue.queuedMessages(), maxQueuedBytes, maxQueuedMessages);
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
            if (closed || queue.queuedBytes() > maxQueuedBytes / 2 || queue.queuedMessages() > maxQueuedMessages / 2) {
                return false;
            }
            catchUpOwed = false;
            // an ERROR reads the same in every version: the oldest we speak is one every device decodes
            return queue.write(new ErrorMessage(ProtocolVersion.MIN_SUPPORTED, ErrorCode.CATCH_UP_REQUIRED,
                    "messages were dropped because the device did not keep up; pull from your cursor", null), Long.MAX_VALUE);
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
            queue.write(lastWords, Long.MAX_VALUE);
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
