package io.pocketsync.it.proof;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server or mosquitto child process of the test's own, on a free port (never the shared ones),
 * that the test may kill and start again on the same port and data directory.
 */
final class PrivateServers implements AutoCloseable {
    private final String kind;
    private final Path dir;
    private final int port = Ports.free();
    private final boolean persistent;
    private Process process;

    private PrivateServers(String kind, Path dir, boolean persistent) {
        this.kind = kind;
        this.dir = dir;
        this.persistent = persistent;
    }

    static PrivateServers redis(Path dir) throws IOException {
        PrivateServers server = new PrivateServers("redis", dir, true);
        server.start();
        return server;
    }

    /** A broker without persistence: a restart loses sessions, subscriptions and queued messages. */
    static PrivateServers mosquitto(Path dir) throws IOException {
        return mosquitto(dir, false);
    }

    /** {@code persistent}: sessions and queued messages are saved on a clean stop and read back at start. */
    static PrivateServers mosquitto(Path dir, boolean persistent) throws IOException {
        PrivateServers server = new PrivateServers("mosquitto", dir, persistent);
        server.start();
        return server;
    }

    String uri() {
        return (kind.equals("redis") ? "redis://127.0.0.1:" : "tcp://127.0.0.1:") + port;
    }

    void start() throws IOException {
        Files.createDirectories(dir);
        ProcessBuilder builder;
        if (kind.equals("redis")) {
            // AOF with fsync always: what Redis acknowledged survives the kill
            builder = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", dir.toString());
        }
        else {
            Path config = dir.resolve("mosquitto.conf");
            // without persistence a restart loses sessions and queued messages, which the engines must heal
            Files.writeString(config, "listener " + port + " 127.0.0.1\nallow_anonymous true\n"
                    + (persistent ? "persistence true\npersistence_location " + dir + "/\n" : "persistence false\n"));
            builder = new ProcessBuilder("mosquitto", "-c", config.toString());
        }
        process = builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(kind + ".log").toFile()))
                .start();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> Ports.accepts(port));
    }

    /** SIGKILL. */
    void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(20, TimeUnit.SECONDS);
        }
    }

    /** SIGTERM: a clean broker restart. */
    void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            process.waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
