package io.pocketsync.server;

import static io.pocketsync.server.TestDatabases.sqlite3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution archive as an operator uses it: unpacked into an empty directory, far from the source tree,
 * {@code bin/pocketsync server} and two {@code bin/pocketsync device} sidecars run from there as processes, with
 * the shipped {@code conf/server.properties} adjusted through {@code POCKETSYNC_*} environment variables.
 */
class DistributionIT {
    /** Set by the failsafe configuration: target/pocketsync-VERSION.tar.gz, made in the package phase. */
    private static final Path ARCHIVE = Path.of(System.getProperty("pocketsync.dist", "target/pocketsync-dist-missing.tar.gz"));

    @TempDir
    static Path unpacked;

    private static Path home;

    @TempDir
    Path work;

    private final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void unpack() throws Exception {
        assertThat(ARCHIVE).as("built by the package phase").exists();
        Process tar = new ProcessBuilder("tar", "-xzf", ARCHIVE.toAbsolutePath().toString(), "-C", unpacked.toString())
                .redirectErrorStream(true).start();
        String output = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(tar.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).as("tar said: %s", output).isZero();
        try (Stream<Path> top = Files.list(unpacked)) {
            home = top.toList().get(0);
        }
        assertThat(home.getFileName().toString()).isEqualTo("pocketsync-" + VersionProvider.version());
    }

    @AfterEach
    void stopWhatIsLeft() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void archiveHoldsTheLauncherTheJarsAndTheExamples() throws IOException {
        assertThat(Files.isExecutable(home.resolve("bin/pocketsync"))).isTrue();
        assertThat(home.resolve("conf/server.properties")).isRegularFile();
        assertThat(home.resolve("conf/pocketsync.env")).isRegularFile();
        assertThat(Files.readString(home.resolve("conf/pocketsync.service")))
                .contains("ExecStart=/opt/pocketsync/bin/pocketsync server --config /opt/pocketsync/conf/server.properties")
                .contains("EnvironmentFile=/etc/pocketsync/pocketsync.env")
                .contains("User=pocketsync")
                .contains("Restart=on-failure")
                .contains("/health/live");
        assertThat(home.resolve("README.md")).isRegularFile();
        assertThat(home.resolve("LICENSE")).isRegularFile();
        assertThat(home.resolve("NOTICE")).isRegularFile();
        String operations = Files.readString(home.resolve("docs/operations.md"));
        assertThat(Files.readAllLines(home.resolve("conf/pocketsync.service")))
                .as("docs/operations.md shows the unit that is shipped")
                .filteredOn(line -> !line.isBlank() && !line.startsWith("#"))
                .allSatisfy(line -> assertThat(operations).contains(line));
        try (Stream<Path> lib = Files.list(home.resolve("lib"))) {
            assertThat(lib.map(jar -> jar.getFileName().toString()))
                    .contains("pocketsync-server-" + VersionProvider.version() + ".jar",
                            "store-sqlite-" + VersionProvider.version() + ".jar",
                            "transport-mqtt-" + VersionProvider.version() + ".jar")
                    .anyMatch(jar -> jar.startsWith("sqlite-jdbc-"))
                    .noneMatch(jar -> jar.startsWith("junit") || jar.startsWith("assertj") || jar.startsWith("pocketsync-testkit"))
                    .allMatch(jar -> jar.endsWith(".jar"));
        }
    }

    @Test
    void serverAndDevicesRunFromTheUnpackedArchive() throws Exception {
        String scope = "dist-" + UUID.randomUUID();
        int port = TestPorts.freePort();
        int metricsPort = TestPorts.freePort();
        Path app = work.resolve("app.db");
        Path phone = work.resolve("phone.db");
        sqlite3(app, "CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0);");
        sqlite3(phone, "CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0);");

        // The shipped file says /var/lib/pocketsync/server.db and port 8787; the environment moves both, and
        // brings the secret. The flag --metrics-port wins over the file's metrics.port.
        Process server = start("server.log", Map.of(
                        "POCKETSYNC_TRANSPORT_WEBSOCKET_PORT", Integer.toString(port),
                        "POCKETSYNC_STORE_SQLITE_PATH", "server.db",
                        "POCKETSYNC_AUTH_STATIC_TOKEN_TOKENS", scope + ":dist-token"),
                "server", "--config", home.resolve("conf/server.properties").toString(), "--metrics-port", Integer.toString(metricsPort));
        await().atMost(Duration.ofSeconds(60)).until(() -> TestPorts.healthy(metricsPort) || !server.isAlive());
        assertThat(server.isAlive()).as("log: %s", read("server.log")).isTrue();
        assertThat(work.resolve("server.db")).as("the relative store path is the working directory's").exists();

        String url = "ws://127.0.0.1:" + port + "/sync";
        Map<String, String> deviceEnvironment = Map.of("POCKETSYNC_TOKEN", "dist-token");
        Process appSidecar = start("app.log", deviceEnvironment,
                "device", "--db", "app.db", "--table", "todo", "--server", url, "--scope", scope);
        Process phoneSidecar = start("phone.log", deviceEnvironment,
                "device", "--db", "phone.db", "--table", "todo", "--server", url, "--scope", scope);
        // The sidecar installs its triggers on start; the shell writes after that.
        await().atMost(Duration.ofSeconds(60)).until(() -> !appSidecar.isAlive() || sqlite3(app,
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'todo';").matches("[1-9][0-9]*"));
        assertThat(appSidecar.isAlive()).as("log: %s", read("app.log")).isTrue();

        sqlite3(app, "INSERT INTO todo (id, title) VALUES ('shell', 'written by sqlite3');");

        await().atMost(Duration.ofSeconds(60)).until(() -> !phoneSidecar.isAlive()
                || "written by sqlite3".equals(sqlite3(phone, "SELECT title FROM todo WHERE id = 'shell';")));
        assertThat(sqlite3(phone, "SELECT title FROM todo WHERE id = 'shell';")).as("log: %s", read("phone.log"))
                .isEqualTo("written by sqlite3");

        stop(appSidecar, "app.log");
        stop(phoneSidecar, "phone.log");
        stop(server, "server.log");
        assertThat(read("server.log"))
                .contains("Settings from environment variables: POCKETSYNC_AUTH_STATIC_TOKEN_TOKENS, POCKETSYNC_STORE_SQLITE_PATH,"
                        + " POCKETSYNC_TRANSPORT_WEBSOCKET_PORT")
                .contains("Store: sqlite (io.pocketsync.store.sqlite.SqliteServerStoreProvider from file:" + home.resolve("lib"))
                .contains("PocketSync server stopped")
                .doesNotContain("dist-token")
                .doesNotContain("Exception");
    }

    @Test
    void anUnknownSettingVariableStopsTheServerWithOneLine() throws Exception {
        Process server = start("server.log", Map.of("POCKETSYNC_METRICS_PROT", "9464"), "server", "--allow-anonymous");

        assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(server.exitValue()).isEqualTo(CliErrorHandler.USAGE);
        assertThat(read("server.log").lines().filter(line -> line.startsWith("pocketsync:")))
                .containsExactly("pocketsync: unknown environment variable POCKETSYNC_METRICS_PROT: no server setting has that name;"
                        + " did you mean POCKETSYNC_METRICS_PORT? (a key's variable is POCKETSYNC_KEY with '.' and '-' as '_';"
                        + " see docs/operations.md) [CONFIG_INVALID]");
    }

    /**
     * Runs {@code bin/pocketsync} from the unpacked archive in the working directory, with only the given
     * {@code POCKETSYNC_*} variables and the test's Java as {@code JAVA_HOME}.
     */
    private Process start(String log, Map<String, String> environment, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/pocketsync").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile())
                .redirectErrorStream(true).redirectOutput(work.resolve(log).toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("POCKETSYNC_") || name.equals("JAVA_OPTS"));
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("JAVA_OPTS", "-Xmx256m");
        builder.environment().putAll(environment);
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    /** SIGTERM, as systemd stops a service; the command closes cleanly. */
    private void stop(Process process, String log) throws Exception {
        process.destroy();
        assertThat(process.waitFor(45, TimeUnit.SECONDS)).as("log: %s", read(log)).isTrue();
        // 143 = 128 + SIGTERM: the JVM reports the signal even when the shutdown hook finished cleanly.
        assertThat(process.exitValue()).as("log: %s", read(log)).isIn(0, 143);
    }

    private String read(String log) throws IOException {
        Path file = work.resolve(log);
        return Files.exists(file) ? Files.readString(file) : "";
    }
}
