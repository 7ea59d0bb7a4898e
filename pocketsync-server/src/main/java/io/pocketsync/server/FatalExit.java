package io.pocketsync.server;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.FatalErrorHandler;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code pocketsync server} does when a part stops serving for good (docs/operations.md, "Memory limits and
 * fatal errors"): one ERROR line naming the part and the cause, then the command stops, closing what still closes,
 * and the process exits with code {@value CliErrorHandler#FAILURE} so its supervisor restarts it. A server that
 * lives on deaf (its listener dead, /health/live UP) would cut every device off for good.
 *
 * <p>While the command runs it is also the JVM's default uncaught-exception handler: a {@link VirtualMachineError}
 * that ends any thread (an engine worker out of memory) is fatal the same way; other uncaught exceptions are
 * logged.
 *
 * <p>Thread-safe; the first fatal error wins.
 */
final class FatalExit implements FatalErrorHandler, Thread.UncaughtExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(FatalExit.class);

    private final ShutdownSignal signal;
    private final AtomicReference<String> failure = new AtomicReference<>();

    FatalExit(ShutdownSignal signal) {
        this.signal = requireNonNull(signal, "signal is null");
    }

    @Override
    public void onFatal(String part, String reason, Throwable cause) {
        String what = part + ": " + reason;
        if (!failure.compareAndSet(null, what)) {
            return;
        }
        try {
            log.error("Fatal error in {}; the server stops and exits with code {} so that its supervisor restarts it",
                    what, CliErrorHandler.FAILURE);
        }
        finally {
            signal.fail();
        }
    }

    @Override
    public void uncaughtException(Thread thread, Throwable error) {
        if (FatalErrorHandler.isVirtualMachineError(error)) {
            onFatal("thread " + thread.getName(), String.valueOf(error), error);
        }
        else {
            log.error("Uncaught exception in thread {}", thread.getName(), error);
        }
    }

    /**
     * The fatal error that stopped the command.
     *
     * @return the part and reason, or empty when none happened
     */
    Optional<String> failure() {
        return Optional.ofNullable(failure.get());
    }
}
