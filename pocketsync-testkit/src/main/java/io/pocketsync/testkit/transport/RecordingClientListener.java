package io.pocketsync.testkit.transport;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.transport.ClientTransport;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link ClientTransport.Listener} that records every event for assertions. It can be made slow:
 * {@link #blockOnMessages()} makes {@code onMessage} wait until {@link #unblock()}, to play a device
 * that does not read. It also checks that the transport calls it one call at a time.
 *
 * <p>Thread-safe.
 */
public final class RecordingClientListener implements ClientTransport.Listener {
    /** One onDisconnected call. */
    public record Disconnect(ErrorCode code, String reason) {}

    private final AtomicInteger connects = new AtomicInteger();
    private final List<Message> messages = new CopyOnWriteArrayList<>();
    private final List<Disconnect> disconnects = new CopyOnWriteArrayList<>();
    private final AtomicInteger concurrentCalls = new AtomicInteger();
    private volatile boolean overlapSeen;
    private volatile CountDownLatch gate;

    @Override
    public void onConnected() {
        enter();
        try {
            connects.incrementAndGet();
        }
        finally {
            exit();
        }
    }

    @Override
    public void onMessage(Message message) {
        enter();
        try {
            CountDownLatch current = gate;
            if (current != null) {
                current.await(60, TimeUnit.SECONDS);
            }
            messages.add(message);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        finally {
            exit();
        }
    }

    @Override
    public void onDisconnected(ErrorCode code, String reason) {
        enter();
        try {
            disconnects.add(new Disconnect(code, reason));
        }
        finally {
            exit();
        }
    }

    /** From now on, onMessage waits until {@link #unblock()}. */
    public void blockOnMessages() {
        gate = new CountDownLatch(1);
    }

    /** Lets blocked and later onMessage calls through. */
    public void unblock() {
        CountDownLatch current = gate;
        gate = null;
        if (current != null) {
            current.countDown();
        }
    }

    /**
     * How many times {@code onConnected} was called.
     *
     * @return the count
     */
    public int connects() {
        return connects.get();
    }

    /**
     * The messages received, in order.
     *
     * @return the messages
     */
    public List<Message> messages() {
        return messages;
    }

    /**
     * Every {@code onDisconnected} call, in order.
     *
     * @return the calls
     */
    public List<Disconnect> disconnects() {
        return disconnects;
    }

    /**
     * Whether two listener calls ever overlapped (a contract violation).
     *
     * @return true when they did
     */
    public boolean overlapSeen() {
        return overlapSeen;
    }

    private void enter() {
        if (concurrentCalls.incrementAndGet() > 1) {
            overlapSeen = true;
        }
    }

    private void exit() {
        concurrentCalls.decrementAndGet();
    }
}
