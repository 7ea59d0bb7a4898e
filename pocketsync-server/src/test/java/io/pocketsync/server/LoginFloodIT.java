package io.pocketsync.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A login flood against {@code pocketsync server} over real WebSocket connections (issue #21, 4): a guesser's wrong
 * tokens are answered {@code AUTH_FAILED} every time, but once its address (or the device id it targets) has failed
 * its limit, the server stops checking them, so the checked attempts fall to one per block; a valid login straight
 * after the flood is refused too. The rates are printed, not asserted. Blocks are 20 s here, far longer than the
 * flood, so "straight after" is inside the block on any machine; that a block ends, and doubles, is proven with a
 * hand-moved clock in the engine's {@code LoginGuardsTest} and {@code LoginThrottleTest}.
 */
class LoginFloodIT {
    private static final int FLOOD = 600;
    private static final String BLOCK = "20s";
    private static final int THREADS = 4;

    @TempDir
    Path dir;

    @Test
    void aFloodFromOneAddressIsThrottledAndAnswersAuthFailedThroughout() throws Exception {
        String scope = "flood-" + UUID.randomUUID();
        try (ServerRuntime server = ServerRuntime.start(ServerSettings.of(Map.of(
                ServerSettings.PORT, "0",
                ServerSettings.SQLITE_PATH, dir.resolve("server.db").toString(),
                ServerSettings.TOKENS, scope + ":the-right-token",
                "server.auth-throttle.initial-delay", BLOCK,
                "server.auth-throttle.max-delay", BLOCK)))) {
            URI uri = server.webSocketUri();
            long started = System.nanoTime();
            Map<String, AtomicInteger> answers = flood(FLOOD, i -> HelloClient.attempt(uri, "127.0.0.5", scope,
                    "guesser-" + i, "guess-" + i));
            double seconds = (System.nanoTime() - started) / 1e9;

            assertThat(answers.keySet()).as("one answer to every guess, throttled or not").containsOnly("AUTH_FAILED");
            assertThat(refused(server, "AUTH_FAILED")).isEqualTo(FLOOD);
            double checked = FLOOD - throttled(server, "address");
            System.out.printf("LoginFloodIT: %d attempts in %.1f s (%.0f/s), of which %.0f were checked (%.1f/s)%n", FLOOD,
                    seconds, FLOOD / seconds, checked, checked / seconds);
            // 20 failures within the window, then a check per block, by each of the 4 flood threads at most (those
            // already past the throttle when a block starts); a count, not a timing
            assertThat(checked).isLessThanOrEqualTo(20 + (Math.ceil(seconds / 20) + 1) * THREADS);

            String rightAfter = HelloClient.attempt(uri, "127.0.0.5", scope, "good-device", "the-right-token");
            assertThat(rightAfter).as("a valid login while the address is throttled").isEqualTo("AUTH_FAILED");
            assertThat(HelloClient.attempt(uri, "127.0.0.6", scope, "good-device", "the-right-token"))
                    .as("from another address").isEqualTo("WELCOME");
        }
    }

    @Test
    void aFloodAtOneDeviceIdFromManyAddressesIsThrottledByTheDeviceId() throws Exception {
        String scope = "flood-" + UUID.randomUUID();
        try (ServerRuntime server = ServerRuntime.start(ServerSettings.of(Map.of(
                ServerSettings.PORT, "0",
                ServerSettings.SQLITE_PATH, dir.resolve("server.db").toString(),
                ServerSettings.TOKENS, scope + ":the-right-token",
                "server.auth-throttle.initial-delay", BLOCK,
                "server.auth-throttle.max-delay", BLOCK)))) {
            URI uri = server.webSocketUri();
            // 40 addresses, 5 guesses each: no address reaches its limit (20), the device id does (5)
            Map<String, AtomicInteger> answers = flood(200, i -> HelloClient.attempt(uri, "127.0.1." + (10 + i % 40), scope,
                    "victim", "guess-" + i));
            assertThat(answers.keySet()).containsOnly("AUTH_FAILED");
            assertThat(throttled(server, "address")).isZero();
            assertThat(throttled(server, "device")).isPositive();

            assertThat(HelloClient.attempt(uri, "127.0.1.99", scope, "victim", "the-right-token")).isEqualTo("AUTH_FAILED");
            assertThat(HelloClient.attempt(uri, "127.0.1.99", scope, "another-device", "the-right-token")).isEqualTo("WELCOME");
        }
    }

    /** Runs {@code attempts} login attempts on {@link #THREADS} threads, as fast as they go; counts the answers. */
    private static Map<String, AtomicInteger> flood(int attempts, Attempt attempt) throws Exception {
        Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                workers.add(threads.submit(() -> {
                    for (int i = next.getAndIncrement(); i < attempts; i = next.getAndIncrement()) {
                        answers.computeIfAbsent(attempt.run(i), a -> new AtomicInteger()).incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        }
        finally {
            threads.shutdownNow();
        }
        return answers;
    }

    private static double refused(ServerRuntime server, String code) {
        Counter counter = server.metrics().registry().find("pocketsync.sessions.refused").tag("code", code).counter();
        return counter == null ? 0 : counter.count();
    }

    private static double throttled(ServerRuntime server, String by) {
        Counter counter = server.metrics().registry().find("pocketsync.auth.throttled").tag("by", by).counter();
        return counter == null ? 0 : counter.count();
    }

    @FunctionalInterface
    private interface Attempt {
        String run(int i) throws Exception;
    }
}
