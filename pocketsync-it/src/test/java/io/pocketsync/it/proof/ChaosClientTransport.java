package io.pocketsync.it.proof;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.api.transport.Endpoint;
import java.util.Random;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A client transport that misbehaves the way at-least-once networks do: it sends some messages twice,
 * delivers some incoming messages twice and delays others (so they overtake each other), all decided
 * by a seeded {@link Random}. {@link #calm()} turns the chaos off for the quiescence phase.
 *
 * <p>Every message sent and every delivery (with what the chaos did to it) goes into a {@link RunTrace}, for
 * the report of a failed run.
 *
 * <p>Thread-safe: the random source is used under this object's lock.
 */
final class ChaosClientTransport implements ClientTransport {
    private final ClientTransport delegate;
    private final Random random;
    private final ScheduledExecutorService scheduler;
    private final double duplicate;
    private final double delay;
    private final RunTrace trace;
    private final String device;
    private volatile boolean calm;

    ChaosClientTransport(ClientTransport delegate, long seed, ScheduledExecutorService scheduler, double duplicate, double delay,
            RunTrace trace, String device) {
        this.delegate = requireNonNull(delegate, "delegate is null");
        this.trace = requireNonNull(trace, "trace is null");
        this.device = requireNonNull(device, "device is null");
        this.random = new Random(seed);
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.duplicate = duplicate;
        this.delay = delay;
    }

    void calm() {
        calm = true;
    }

    @Override
    public void start(Endpoint endpoint, Listener listener) {
        delegate.start(endpoint, new Listener() {
            @Override
            public void onConnected() {
                trace.connection(device, "connected");
                listener.onConnected();
            }

            @Override
            public void onMessage(Message message) {
                deliver(listener, message);
            }

            @Override
            public void onDisconnected(ErrorCode code, String reason) {
                trace.connection(device, "disconnected " + code + " " + reason);
                listener.onDisconnected(code, reason);
            }
        });
    }

    private void deliver(Listener listener, Message message) {
        if (calm) {
            deliverNow(listener, message, "");
            return;
        }
        double roll;
        int millis;
        synchronized (this) {
            roll = random.nextDouble();
            millis = 1 + random.nextInt(60);
        }
        if (roll < duplicate) {
            deliverNow(listener, message, "dup 1/2");
            deliverNow(listener, message, "dup 2/2");
        }
        else if (roll < duplicate + delay) {
            scheduler.schedule(() -> deliverNow(listener, message, "delayed " + millis + "ms"), millis, TimeUnit.MILLISECONDS);
        }
        else {
            deliverNow(listener, message, "");
        }
    }

    private void deliverNow(Listener listener, Message message, String how) {
        trace.delivered(device, message, how);
        listener.onMessage(message);
    }

    @Override
    public boolean send(Message message) {
        boolean twice;
        synchronized (this) {
            twice = !calm && random.nextDouble() < duplicate;
        }
        trace.sent(device, message, twice); // before sending: the answer may be delivered before send returns
        boolean sent = delegate.send(message);
        if (!sent) {
            trace.connection(device, "the send above was refused (not connected)");
        }
        if (twice && sent) {
            delegate.send(message);
        }
        return sent;
    }

    @Override
    public boolean isConnected() {
        return delegate.isConnected();
    }

    @Override
    public void reconnect() {
        trace.connection(device, "reconnect");
        delegate.reconnect();
    }

    @Override
    public void close() {
        trace.connection(device, "transport closed");
        delegate.close();
    }
}
