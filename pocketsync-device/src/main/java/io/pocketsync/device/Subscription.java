package io.pocketsync.device;

/**
 * A registered listener or watch; {@link #close()} unregisters it. Closing is idempotent and never throws, so a
 * subscription fits try-with-resources and Kotlin's {@code use} without a checked exception. After it returns the
 * listener gets no new events, though one already handed to the listener executor may still arrive.
 */
@FunctionalInterface
public interface Subscription extends AutoCloseable {
    /** Unregisters; idempotent. */
    @Override
    void close();
}
