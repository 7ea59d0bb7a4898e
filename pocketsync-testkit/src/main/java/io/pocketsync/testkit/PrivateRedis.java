package io.pocketsync.testkit;

import static java.util.Objects.requireNonNull;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server of a test's own, on a free loopback port, for tests that stop, kill or misconfigure Redis (never
 * the shared one): started with {@link #start}, killed with {@link #kill} (SIGKILL, a crash), started again on the
 * same port, closed with the test. Its log goes to {@code redis.log} in the test's directory.
 *
 * <p>Not thread-safe: one test drives it.
 */
public final class PrivateRedis implements AutoCloseable {
    private final Path directory;
    private final List<String> options;
    private final int port;
    private Process process;

    private PrivateRedis(Path directory, List<String> options) {
        this.directory = requireNonNull(directory, "directory is null");
        this.options = List.copyOf(options);
        this.port = freePort();
    }

    /**
     * A server that keeps nothing on disk ({@code --save "" --appendonly no}); not yet started.
     *
     * @param directory the test's directory (Redis's working directory and log)
     * @param extraOptions more {@code redis-server} options, e.g. {@code "--maxmemory-policy", "noeviction"}
     * @return the server
     */
    public static PrivateRedis inMemory(Path directory, String... extraOptions) {
        List<String> options = new ArrayList<>(List.of("--save", "", "--appendonly", "no"));
        options.addAll(List.of(extraOptions));
        return new PrivateRedis(directory, options);
    }

    /**
     * A server that writes each write to its append-only file before it answers, so what it acknowledged survives a
     * kill; not yet started.
     *
     * @param directory the test's directory (Redis's working directory, its append-only file and log)
     * @return the server
     */
    public static PrivateRedis durable(Path directory) {
        return new PrivateRedis(directory, List.of("--save", "", "--appendonly", "yes", "--appendfsync", "always"));
    }

    /**
     * Starts it (again, after {@link #kill}: same port and directory) and waits until it answers PING.
     *
     * @return this
     */
    public PrivateRedis start() {
        List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--dir", directory.toString()));
        command.addAll(options);
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("redis.log").toFile())).start();
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot start redis-server (scripts/test.sh installs it)", e);
        }
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                return socket.getInputStream().read() == '+';
            }
        });
        return this;
    }

    /** Kills it with SIGKILL (a crash, not a clean shutdown) and waits for the process to end. */
    public void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("redis-server on port " + port + " did not die within 10 s");
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Its port.
     *
     * @return the loopback port it listens on
     */
    public int port() {
        return port;
    }

    /**
     * Its URI.
     *
     * @return {@code redis://127.0.0.1:<port>}
     */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        kill();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
