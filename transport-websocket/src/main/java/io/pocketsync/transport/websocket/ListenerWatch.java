package io.pocketsync.transport.websocket;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.FatalErrorHandler;
import io.pocketsync.api.Health;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the WebSocket server's listener, Java-WebSocket's selector thread, which accepts devices and moves every
 * byte. When it dies the process is deaf: the port stops accepting, no device of any scope is served, while
 * everything else looks alive. It dies three ways, all reported here: its loop throws a {@link RuntimeException}
 * (Java-WebSocket logs "Shutdown due to fatal error" and calls {@code onError(null, e)}; the thread then hangs
 * joining itself, so its end cannot be waited for), a worker thread catches a {@link VirtualMachineError} such as
 * {@link OutOfMemoryError} (it reaches {@code onError} wrapped in an exception, then the server stops), or an
 * {@link Error} escapes the loop (Java-WebSocket does not catch those there: the thread ends).
 *
 * <p>The first failure is logged as an ERROR, turns {@link #health()} down for good and goes to the
 * {@link FatalErrorHandler}, which in the {@code pocketsync server} command ends the process so its supervisor
 * restarts it (docs/operations.md). A listener stopped by {@code close()} is not a failure.
 *
 * <p>Thread-safe.
 */
final class ListenerWatch {
    private static final Logger log = LoggerFactory.getLogger(ListenerWatch.class);
    static final String PART = "websocket";

    private final Supplier<String> address;
    private final FatalErrorHandler fatalErrors;
    private final AtomicReference<Health> failure = new AtomicReference<>();
    private volatile @Nullable Thread thread;
    private volatile boolean listening;
    private volatile boolean closing;

    /**
     * @param address {@code host:port} of the listener (the bound port once bound), for the log and the health detail
     * @param fatalErrors told of the first failure
     */
    ListenerWatch(Supplier<String> address, FatalErrorHandler fatalErrors) {
        this.address = requireNonNull(address, "address is null");
        this.fatalErrors = requireNonNull(fatalErrors, "fatalErrors is null");
    }

    /**
     * Runs {@code loop} (the server's selector loop) on a new thread; its end or its escaping error is a failure
     * unless {@link #closing()} was called first.
     *
     * @param daemon whether the thread is a daemon (Java-WebSocket's own is not: a server keeps the JVM up)
     */
    void start(Runnable loop, boolean daemon) {
        Thread created = new Thread(() -> {
            Throwable escaped = null;
            try {
                loop.run();
            }
            catch (Throwable e) {
                escaped = e;
            }
            ended(escaped);
        }, "pocketsync-ws-listener");
        created.setDaemon(daemon);
        thread = created;
        created.start();
    }

    /** The listener is bound and accepting (Java-WebSocket's {@code onStart}); until then its end is a failed start. */
    void listening() {
        listening = true;
    }

    /** The transport is closing: the listener's end from now on is expected. */
    void closing() {
        closing = true;
    }

    /**
     * Java-WebSocket reported an error: a listener-wide one ({@code onError(null, e)} once started) or, on a
     * connection, one that holds a {@link VirtualMachineError}.
     */
    void serverError(Throwable error) {
        fail("listener failed: " + describe(error), error);
    }

    /**
     * Whether the listener serves.
     *
     * @return down (with the reason) once it failed or its thread ended, else up
     */
    Health health() {
        Health failed = failure.get();
        if (failed != null) {
            return failed;
        }
        Thread current = thread;
        if (current == null) {
            return Health.down("WebSocket listener not started");
        }
        if (!current.isAlive()) {
            return Health.down("WebSocket listener on " + address.get() + " stopped");
        }
        return Health.ok();
    }

    private void ended(@Nullable Throwable escaped) {
        if ((closing || !listening) && escaped == null) {
            // closed, or it never bound: start() reports that with the reason
            log.debug("WebSocket listener on {} stopped", address.get());
            return;
        }
        fail(escaped == null ? "listener thread ended" : "listener thread died: " + describe(escaped), escaped);
    }

    private void fail(String reason, @Nullable Throwable cause) {
        if (closing && !FatalErrorHandler.isVirtualMachineError(cause)) {
            return;
        }
        String detail = "WebSocket listener on " + address.get() + ": " + reason + "; no device can connect";
        if (!failure.compareAndSet(null, Health.down(detail))) {
            return;
        }
        try {
            log.error("{}", detail, cause);
        }
        catch (Throwable e) {
            // out of memory, the log may fail too: the handler below must still hear of it
        }
        try {
            fatalErrors.onFatal(PART, detail, cause);
        }
        catch (Throwable e) {
            log.warn("the fatal error handler failed: {}", e.toString());
        }
    }

    /** The innermost useful description: Java-WebSocket wraps worker errors in a bare {@code Exception}. */
    private static String describe(Throwable error) {
        Throwable shown = error;
        while (shown.getCause() != null && shown.getMessage() != null && shown.getMessage().equals(shown.getCause().toString())) {
            shown = shown.getCause();
        }
        return shown.toString();
    }
}
