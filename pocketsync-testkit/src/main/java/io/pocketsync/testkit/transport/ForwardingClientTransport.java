package io.pocketsync.testkit.transport;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.api.transport.Endpoint;
import java.time.Duration;

/**
 * A client transport that hands every call to another one, so a test can watch or hold what a device receives by
 * overriding {@link #listening(Listener)} alone (like {@link io.pocketsync.testkit.store.ForwardingServerStore}).
 *
 * <p>As thread-safe as the delegate and the overrides.
 */
public class ForwardingClientTransport implements ClientTransport {
    private final ClientTransport delegate;

    /**
     * Hands every call to {@code delegate}.
     *
     * @param delegate the transport that does the work
     */
    public ForwardingClientTransport(ClientTransport delegate) {
        this.delegate = requireNonNull(delegate, "delegate is null");
    }

    /**
     * The listener the delegate reports to; the default is the device's own.
     *
     * @param device the device's listener
     * @return the listener to start the delegate with
     */
    protected Listener listening(Listener device) {
        return device;
    }

    @Override
    public void start(Endpoint endpoint, Listener listener) {
        delegate.start(endpoint, listening(listener));
    }

    @Override
    public boolean send(io.pocketsync.api.protocol.Message message) {
        return delegate.send(message);
    }

    @Override
    public int maxAssembledBytes() {
        return delegate.maxAssembledBytes();
    }

    @Override
    public boolean isConnected() {
        return delegate.isConnected();
    }

    @Override
    public void reconnect() {
        delegate.reconnect();
    }

    @Override
    public void pause(Duration delay) {
        delegate.pause(delay);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
