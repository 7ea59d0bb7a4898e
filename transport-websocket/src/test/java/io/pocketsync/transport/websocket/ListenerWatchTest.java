package io.pocketsync.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.FatalErrorHandler;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** How the listener's failures are told apart from its orderly stop, and reported once. */
class ListenerWatchTest {
    private final List<String> reported = new CopyOnWriteArrayList<>();
    private final List<Throwable> causes = new CopyOnWriteArrayList<>();
    private final FatalErrorHandler handler = (part, reason, cause) -> {
        reported.add(part + ": " + reason);
        causes.add(cause);
    };
    private final ListenerWatch watch = new ListenerWatch(() -> "127.0.0.1:8787", handler);

    @Test
    void anOutOfMemoryErrorCaughtByAWorkerIsFatalOnce() throws InterruptedException {
        CountDownLatch stop = new CountDownLatch(1);
        watch.start(() -> awaitQuietly(stop), true);
        watch.listening();
        assertThat(watch.health().up()).isTrue();
        // Java-WebSocket's worker wraps the error: new Exception(error)
        OutOfMemoryError error = new OutOfMemoryError("Java heap space");
        watch.serverError(new Exception(error));
        watch.serverError(new RuntimeException("later"));
        assertThat(reported).containsExactly("websocket: WebSocket listener on 127.0.0.1:8787: listener failed:"
                + " java.lang.OutOfMemoryError: Java heap space; no device can connect");
        assertThat(causes.get(0)).hasCause(error);
        assertThat(watch.health().up()).isFalse();
        assertThat(watch.health().detail()).contains("OutOfMemoryError");
        stop.countDown();
    }

    @Test
    void anErrorEscapingTheLoopIsFatal() {
        watch.start(() -> {
            throw new StackOverflowError("deep");
        }, true);
        await().until(() -> !reported.isEmpty());
        assertThat(reported).containsExactly("websocket: WebSocket listener on 127.0.0.1:8787: listener thread died:"
                + " java.lang.StackOverflowError: deep; no device can connect");
    }

    @Test
    void aLoopThatEndsBeforeListeningIsAFailedStartNotAFatalError() {
        watch.start(() -> {}, true);
        await().until(() -> !watch.health().up());
        assertThat(reported).isEmpty();
    }

    @Test
    void aLoopEndingAfterCloseIsNotAFailureButAnErrorStillIs() throws InterruptedException {
        CountDownLatch stop = new CountDownLatch(1);
        watch.start(() -> awaitQuietly(stop), true);
        watch.listening();
        watch.closing();
        watch.serverError(new java.io.IOException("selector close failed"));
        stop.countDown();
        await().until(() -> !watch.health().detail().equals("ok"));
        assertThat(reported).isEmpty();

        watch.serverError(new Exception(new OutOfMemoryError("Java heap space")));
        assertThat(reported).hasSize(1);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
