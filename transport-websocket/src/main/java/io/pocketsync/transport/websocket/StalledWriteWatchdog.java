package io.pocketsync.transport.websocket;

import static java.util.Objects.requireNonNull;

import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.server.WebSocketServer;

/**
 * Works around a lost wake-up in Java-WebSocket's server (seen with 1.5.7, still there in 1.6.0): when a message
 * is queued from another thread just as the selector thread finishes writing that connection's queue, the
 * selector thread sets the connection's interest back to read-only after {@code send} asked for write, and the
 * message waits in the queue until something else is sent on that connection (a broadcast, an ACK or the next
 * ping, tens of seconds later). On loopback it happens to a few messages in ten thousand. The usual victim is
 * the answer to a frame just read: the key keeps a stale "writable" flag, so the selector runs an empty write
 * pass right after the read while a worker is queuing the answer. {@code LostWriteWakeUpIT} forces that
 * interleaving and fails once a Java-WebSocket release no longer strands the message.
 *
 * <p>Every connection written to is watched until its queue is empty; about every millisecond, a watched
 * connection with queued bytes but no write interest is woken with {@link WebSocketServer#onWriteDemand},
 * which is what {@code send} does. A stalled message thus waits about a millisecond instead of until the next
 * one. Costs nothing while nothing is queued. While a broadcast to thousands of devices drains, a look at every
 * watched connection each millisecond would take a core from the selector that writes them: the pause between
 * looks grows with the connections watched (20 µs each, at most {@value #MAX_CHECK_MICROS} µs), so the
 * watchdog costs a few percent of a core at most, and a stalled message waits at most that long.
 *
 * <p>Thread-safe.
 */
final class StalledWriteWatchdog {
    private static final long CHECK_MICROS = 1_000;
    static final long MAX_CHECK_MICROS = 50_000;

    private final WebSocketServer server;
    private final ScheduledExecutorService scheduler;
    private final Set<WebSocketImpl> watched = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    StalledWriteWatchdog(WebSocketServer server, ScheduledExecutorService scheduler) {
        this.server = requireNonNull(server, "server is null");
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
    }

    /** Called after a message was queued on {@code socket}. */
    void written(WebSocket socket) {
        if (socket instanceof WebSocketImpl impl && watched.add(impl) && scheduled.compareAndSet(false, true)) {
            schedule();
        }
    }

    private void schedule() {
        try {
            // a look costs well under a microsecond a connection: pausing 20 µs for each keeps the watchdog at a few
            // percent of a core while a broadcast to thousands drains
            long pause = Math.min(MAX_CHECK_MICROS, Math.max(CHECK_MICROS, watched.size() * 20L));
            scheduler.schedule(this::check, pause, TimeUnit.MICROSECONDS);
        }
        catch (RejectedExecutionException e) {
            watched.clear(); // closed
        }
    }

    private void check() {
        for (WebSocketImpl impl : watched) {
            if (impl.outQueue.isEmpty() || !impl.isOpen()) {
                watched.remove(impl);
                if (!impl.outQueue.isEmpty() && impl.isOpen()) {
                    watched.add(impl); // queued between the look and the removal
                }
                continue;
            }
            SelectionKey key = impl.getSelectionKey();
            try {
                if (key != null && key.isValid() && (key.interestOps() & SelectionKey.OP_WRITE) == 0) {
                    server.onWriteDemand(impl);
                }
            }
            catch (CancelledKeyException e) {
                watched.remove(impl);
            }
        }
        scheduled.set(false);
        if (!watched.isEmpty() && scheduled.compareAndSet(false, true)) {
            schedule();
        }
    }
}
