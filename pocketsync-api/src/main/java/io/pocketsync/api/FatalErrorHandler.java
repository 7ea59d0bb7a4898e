package io.pocketsync.api;

import org.jspecify.annotations.Nullable;

/**
 * Told when a part of a running server stops serving for good and cannot heal itself: a transport's listener
 * thread died (Java-WebSocket's "Shutdown due to fatal error"), or a thread ran out of memory. A process that keeps
 * running after that is deaf: its health endpoint may still answer while no device can connect. The part has
 * already logged the error and reports itself down in its {@link Health}; the handler decides what the process
 * does. The {@code pocketsync server} command logs one ERROR line and exits with a non-zero code, so that its
 * supervisor (systemd, Kubernetes) restarts it; an application embedding the engine may do the same, or restart
 * the part.
 *
 * <p>Parts find the handler with {@link PluginContext#fatalErrors()}. A recoverable outage is not fatal: an
 * MQTT bridge that lost its broker reconnects by itself and only reports {@link Health#down}.
 *
 * <p>Implementations are thread-safe, return quickly, and must not throw: they are called on the failing
 * part's own threads, perhaps while memory is short.
 */
@FunctionalInterface
public interface FatalErrorHandler {
    /** Does nothing: the part's log line and its {@link Health} are all that is left of the error. */
    FatalErrorHandler NONE = (part, reason, cause) -> {};

    /**
     * A part stopped serving for good.
     *
     * @param part the part, as {@code /health/ready} names it (for example {@code websocket})
     * @param reason what happened, in words an operator can act on; never null
     * @param cause the error, or null when there was none (a listener thread that just ended)
     */
    void onFatal(String part, String reason, @Nullable Throwable cause);

    /**
     * Whether {@code failure} or one of its causes is an error the JVM cannot be trusted to recover from
     * ({@link VirtualMachineError}: out of memory, stack overflow, internal error): such an error is fatal
     * wherever it is caught, even when a library wrapped it in an exception.
     *
     * @param failure a caught throwable; null gives false
     * @return true when the chain holds a {@link VirtualMachineError}
     */
    static boolean isVirtualMachineError(@Nullable Throwable failure) {
        Throwable current = failure;
        for (int depth = 0; current != null && depth < 20; depth++) {
            if (current instanceof VirtualMachineError) {
                return true;
            }
            current = current.getCause();
        }
        return false;
    }
}
