package io.pocketsync.server;

import static io.pocketsync.server.TestDatabases.sqlite3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Big rows as a user meets them: {@code ./pocketsync server} and two {@code ./pocketsync device} sidecars run as
 * processes, and the {@code sqlite3} shell writes. A 10 MiB {@code randomblob} reaches the other file with the same
 * SHA3 hash; a row over the 16 MiB maximum is refused on its device with {@code ROW_TOO_LARGE} in the sidecar's log, and
 * the next write still syncs. The time the 10 MiB row takes is printed (measured, not asserted).
 */
class BigRowsSidecarIT {
    private static final Path JAR = Path.of("target", "pocketsync-server.jar");
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String DDL = "CREATE TABLE files (id TEXT PRIMARY KEY, body BLOB, note TEXT);";

    @TempDir
    Path dir;
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopProcesses() throws Exception {
        for (Process process : processes) {
            process.destroy();
        }
        for (Process process : processes) {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void aTenMebibyteBlobWrittenWithTheShellSyncsAndARowOverTheMaximumIsRefusedWhileTheNextWriteSyncs() throws Exception {
        String scope = "big-" + UUID.randomUUID();
        int port = TestPorts.freePort();
        Process server = start("server", "server", "--port", Integer.toString(port), "--db", dir.resolve("server.db").toString(),
                "--token", scope + ":tok-1");
        await().atMost(PATIENCE).until(() -> accepts(port) || !server.isAlive());
        assertThat(server.isAlive()).as("server log: %s", log("server")).isTrue();

        Path a = dir.resolve("a.db");
        Path b = dir.resolve("b.db");
        sqlite3(a, DDL);
        sqlite3(b, DDL);
        String uri = "ws://127.0.0.1:" + port + "/sync";
        start("a", "device", "--db", a.toString(), "--table", "files", "--server", uri, "--scope", scope, "--token", "tok-1");
        start("b", "device", "--db", b.toString(), "--table", "files", "--server", uri, "--scope", scope, "--token", "tok-1");
        await().atMost(PATIENCE).ignoreExceptions().until(() -> sqlite3(a, "SELECT count(*) FROM __pocketsync_device_state;")
                .equals("1") && sqlite3(b, "SELECT count(*) FROM __pocketsync_device_state;").equals("1"));

        long started = System.nanoTime();
        sqlite3(a, "INSERT INTO files (id, body) VALUES ('blob', randomblob(10485760));");
        String hash = "SELECT length(body) || ':' || hex(sha3(body)) FROM files WHERE id = 'blob';";
        String expected = sqlite3(a, hash);
        assertThat(expected).startsWith("10485760:");
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50)).until(() -> sqlite3(b, hash).equals(expected));
        System.out.printf("BigRowsSidecarIT: 10 MiB BLOB from the shell on a to the file of b in %d ms%n",
                (System.nanoTime() - started) / 1_000_000);

        sqlite3(a, "INSERT INTO files (id, body) VALUES ('huge', randomblob(16777216));"
                + " INSERT INTO files (id, note) VALUES ('after', 'written after the huge row');");
        await().atMost(PATIENCE).until(() -> sqlite3(b, "SELECT note FROM files WHERE id = 'after';")
                .equals("written after the huge row"));
        assertThat(sqlite3(b, "SELECT count(*) FROM files WHERE id = 'huge';")).isEqualTo("0");
        assertThat(sqlite3(a, "SELECT count(*) FROM __pocketsync_changes WHERE state = 'rejected';")).isEqualTo("1");
        assertThat(log("a")).contains("ROW_TOO_LARGE").contains("the server takes rows of at most 16777216");
        assertThat(sqlite3(b, hash)).isEqualTo(expected);
        // the tokens were given with --token: each command warns that `ps` shows them
        assertThat(log("server")).contains("WARN ServerCommand - --token puts a secret on the command line");
        assertThat(log("a")).contains("WARN DeviceCommand - --token puts a secret on the command line");
    }

    private Process start(String name, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile())
                .start();
        processes.add(process);
        return process;
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        }
        catch (java.io.IOException e) {
            return false;
        }
    }

    private String log(String name) throws java.io.IOException {
        return Files.readString(dir.resolve(name + ".log"));
    }
}
