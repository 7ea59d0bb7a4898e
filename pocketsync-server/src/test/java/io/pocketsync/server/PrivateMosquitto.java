package io.pocketsync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Mosquitto of a test's own on an ephemeral loopback port that wants a user name and password ({@code passwd} in the
 * test directory), optionally with an ACL file, logging everything to {@code mosquitto.log}: what a production broker
 * looks like (transport-mqtt/README.md), without touching the machine's shared broker.
 */
final class PrivateMosquitto implements AutoCloseable {
    private final Path dir;
    private final Path passwords;
    private final int port;
    private final Process process;

    private PrivateMosquitto(Path dir, Path passwords, int port, Process process) {
        this.dir = dir;
        this.passwords = passwords;
        this.port = port;
        this.process = process;
    }

    /**
     * Starts a broker whose users are {@code userAndPassword} pairs ({@code user, password, user, password, ...}), with
     * {@code acl} as its ACL file when not null.
     */
    static PrivateMosquitto start(Path dir, Path acl, String... userAndPassword) throws IOException, InterruptedException {
        Path passwords = dir.resolve("passwd");
        Files.deleteIfExists(passwords);
        Files.createFile(passwords);
        for (int i = 0; i < userAndPassword.length; i += 2) {
            run("mosquitto_passwd", "-b", passwords.toString(), userAndPassword[i], userAndPassword[i + 1]);
        }
        int port = TestPorts.freePort();
        List<String> conf = new ArrayList<>(List.of("listener " + port + " 127.0.0.1", "allow_anonymous false",
                "password_file " + passwords, "persistence false",
                // as root, Mosquitto would drop to its own user, who cannot read the files in the test directory
                "user " + System.getProperty("user.name"), "log_dest stdout", "log_type all", "connection_messages true"));
        if (acl != null) {
            conf.add("acl_file " + acl);
        }
        Path file = dir.resolve("mosquitto.conf");
        Files.writeString(file, String.join("\n", conf) + "\n");
        Process process = new ProcessBuilder(executable(), "-c", file.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        PrivateMosquitto broker = new PrivateMosquitto(dir, passwords, port, process);
        await().atMost(Duration.ofSeconds(30)).until(() -> accepts(port) || !process.isAlive());
        assertThat(process.isAlive()).as("mosquitto log: %s", broker.log()).isTrue();
        return broker;
    }

    /** The broker's URI for a client. */
    String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    /** Adds a user to the password file; {@link #reload()} makes the broker read it. */
    void addUser(String user, String password) throws IOException, InterruptedException {
        run("mosquitto_passwd", "-b", passwords.toString(), user, password);
    }

    /** Makes the broker read its password and ACL files again (SIGHUP), as an operator does after editing them. */
    void reload() throws IOException, InterruptedException {
        run("kill", "-HUP", Long.toString(process.pid()));
    }

    /** What the broker logged so far. */
    String log() {
        try {
            return Files.readString(dir.resolve("mosquitto.log"));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    private static String executable() {
        for (String candidate : List.of("/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return "mosquitto";
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).as("%s: %s", String.join(" ", command), output).isZero();
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        }
        catch (IOException e) {
            return false;
        }
    }
}
