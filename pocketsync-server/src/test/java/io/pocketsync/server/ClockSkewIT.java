package io.pocketsync.server;

import static io.pocketsync.server.TestDatabases.sqlite3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.device.PocketSyncDevice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Devices with wrong clocks, as processes: the {@code ./pocketsync device} sidecar runs under {@code faketime} ten
 * minutes ahead (beyond the server's five-minute skew bound) and, in a second run, ten minutes behind. Its writes,
 * made with the {@code sqlite3} shell, reach another device instead of being refused {@code CLOCK_SKEW} for good; and
 * an edit a slow device makes after it saw another device's value wins over that value. An hour ahead works the same,
 * and so does a clock that jumps ahead while the sidecar is connected.
 */
class ClockSkewIT {
    private static final Path JAR = Path.of("target", "pocketsync-server.jar");
    /** Debian's libfaketime (package faketime, which scripts/test.sh installs), for this machine's architecture. */
    private static final String LIBFAKETIME = libfaketime();

    @TempDir
    Path dir;

    @Test
    void aSidecarTenMinutesAheadSyncsItsWrites() throws Exception {
        runWithClock("+10m", "ahead");
    }

    @Test
    void aSidecarTenMinutesBehindEditsAfterWhatItSawAndWins() throws Exception {
        runWithClock("-10m", "behind");
    }

    @Test
    void aSidecarAnHourAheadSyncsItsWrites() throws Exception {
        runWithClock("+1h", "hour-ahead");
    }

    /**
     * The device's clock jumps ten minutes ahead while the sidecar is connected: the WELCOME measured no offset, so
     * the next write is stamped beyond the skew bound and refused {@code CLOCK_SKEW}. The sidecar measures its clock
     * again from the ACK's server time, restamps the write and sends it again: it reaches the other device, and
     * nothing is left rejected. Sidecar and shell share one clock, a libfaketime timestamp file each process reads at
 * most every second: the sidecar may see the jump up to a second after the shell, which the restamp to the ACK's
 * server time covers.
     */
    @Test
    void aClockThatJumpsAheadMidSessionDoesNotStrandTheWritesAfterTheJump() throws Exception {
        String scope = "clock-jump-" + UUID.randomUUID();
        ServerSettings settings = ServerSettings.of(Map.of(ServerSettings.PORT, "0",
                ServerSettings.SQLITE_PATH, dir.resolve("server.db").toString(), ServerSettings.TOKENS, scope + ":tok-1"));
        Path clockFile = dir.resolve("device-clock");
        Files.writeString(clockFile, "+0\n");
        Map<String, String> deviceClock = Map.of("LD_PRELOAD", LIBFAKETIME, "FAKETIME_TIMESTAMP_FILE", clockFile.toString(),
                "FAKETIME_CACHE_DURATION", "1", "FAKETIME_DONT_FAKE_MONOTONIC", "1");
        Path deviceDb = dir.resolve("jumping.db");
        Path honestDb = dir.resolve("honest.db");
        sqlite3(deviceDb, "CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0);");
        TestDatabases.createTodo(honestDb);

        try (ServerRuntime server = ServerRuntime.start(settings);
             PocketSyncDevice honest = PocketSyncDevice.builder().database(honestDb).tables("todo").server(server.webSocketUri())
                     .scope(scope).token("tok-1").transport("websocket").build()) {
            honest.start();
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder builder = new ProcessBuilder(List.of(java, "-jar", JAR.toString(), "device",
                    "--db", deviceDb.toString(), "--table", "todo", "--server", server.webSocketUri().toString(),
                    "--scope", scope, "--token", "tok-1"))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("jump.log").toFile());
            builder.environment().putAll(deviceClock);
            Process sidecar = builder.start();
            try {
                shell(deviceClock, deviceDb, "INSERT INTO todo (id, title) VALUES ('before', 'written before the jump');");
                // generous: a JVM under libfaketime starts slowly on a loaded machine
                await().atMost(Duration.ofSeconds(60)).until(() -> "written before the jump".equals(TestDatabases.title(honestDb,
                        "before")) || !sidecar.isAlive());
                assertThat(sidecar.isAlive()).as("sidecar log: %s", log("jump")).isTrue();

                Files.writeString(clockFile, "+10m\n");
                shell(deviceClock, deviceDb, "INSERT INTO todo (id, title) VALUES ('after', 'written after the jump');");
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(TestDatabases.title(honestDb, "after"))
                        .as("sidecar log: %s", log("jump")).isEqualTo("written after the jump"));
                assertThat(sqlite3(deviceDb, "SELECT count(*) FROM __pocketsync_changes WHERE state = 'rejected';")).isEqualTo("0");
                // the refusal was said, and so was what the sidecar did about it
                assertThat(log("jump")).contains("CLOCK_SKEW").contains("queued again");
            }
            finally {
                sidecar.destroy();
                assertThat(sidecar.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    private void runWithClock(String shift, String name) throws Exception {
        String scope = "clock-" + name + "-" + UUID.randomUUID();
        ServerSettings settings = ServerSettings.of(Map.of(ServerSettings.PORT, "0",
                ServerSettings.SQLITE_PATH, dir.resolve("server.db").toString(), ServerSettings.TOKENS, scope + ":tok-1"));
        Path skewedDb = dir.resolve(name + ".db");
        Path honestDb = dir.resolve("honest.db");
        sqlite3(skewedDb, "CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0);");
        // written while the sidecar is not running: stamped with the wrong clock before any WELCOME measured it
        shell(shift, skewedDb, "INSERT INTO todo (id, title) VALUES ('offline', 'written before connecting');");
        TestDatabases.createTodo(honestDb);

        try (ServerRuntime server = ServerRuntime.start(settings);
             PocketSyncDevice honest = PocketSyncDevice.builder().database(honestDb).tables("todo").server(server.webSocketUri())
                     .scope(scope).token("tok-1").transport("websocket").build()) {
            honest.start();
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder builder = new ProcessBuilder(List.of(java, "-jar", JAR.toString(), "device",
                    "--db", skewedDb.toString(), "--table", "todo", "--server", server.webSocketUri().toString(),
                    "--scope", scope, "--token", "tok-1"))
                    .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
            builder.environment().putAll(shifted(shift));
            Process sidecar = builder.start();
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> "written before connecting".equals(TestDatabases.title(honestDb,
                        "offline")) || !sidecar.isAlive());
                assertThat(sidecar.isAlive()).as("sidecar log: %s", log(name)).isTrue();

                shell(shift, skewedDb, "INSERT INTO todo (id, title) VALUES ('live', 'written while connected');");
                await().atMost(Duration.ofSeconds(30)).until(() -> "written while connected".equals(TestDatabases.title(honestDb, "live")));

                // the honest device writes a value; the skewed one sees it, then edits it: the edit must win everywhere
                TestDatabases.execute(honestDb, "UPDATE todo SET title = 'honest value' WHERE id = 'live'");
                await().atMost(Duration.ofSeconds(30)).until(() ->
                        sqlite3(skewedDb, "SELECT title FROM todo WHERE id = 'live';").equals("honest value"));
                shell(shift, skewedDb, "UPDATE todo SET title = 'edited after seeing it' WHERE id = 'live';");
                await().atMost(Duration.ofSeconds(30)).until(() -> "edited after seeing it".equals(TestDatabases.title(honestDb, "live")));
                assertThat(sqlite3(skewedDb, "SELECT count(*) FROM __pocketsync_changes WHERE state = 'rejected';")).isEqualTo("0");
                assertThat(log(name)).doesNotContain("CLOCK_SKEW");
            }
            finally {
                sidecar.destroy();
                assertThat(sidecar.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    /** The sqlite3 shell under {@code clock}, environment variables of libfaketime. */
    private static void shell(Map<String, String> clock, Path db, String sql) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("sqlite3", "-cmd", ".timeout 5000", db.toString(), sql).redirectErrorStream(true);
        builder.environment().putAll(clock);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("sqlite3 said: %s", output).isZero();
    }

    /** The sqlite3 shell with the device's wrong clock (the capture triggers stamp writes with the writer's clock). */
    private static void shell(String shift, Path db, String sql) throws Exception {
        shell(shifted(shift), db, sql);
    }

    /**
     * The environment that runs a process {@code shift} off the real clock: libfaketime preloaded directly. Not the
     * {@code faketime} wrapper, which names a semaphore after its pid and fails ("sem_open: File exists") when a
     * leftover one from an earlier process with that pid is still there.
     */
    private static Map<String, String> shifted(String shift) {
        return Map.of("LD_PRELOAD", LIBFAKETIME, "FAKETIME", shift);
    }

    private static String libfaketime() {
        try (var dirs = Files.newDirectoryStream(Path.of("/usr/lib"))) {
            for (Path lib : dirs) {
                Path candidate = lib.resolve("faketime").resolve("libfaketime.so.1");
                if (Files.isRegularFile(candidate)) {
                    return candidate.toString();
                }
            }
        }
        catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new IllegalStateException("libfaketime.so.1 not found under /usr/lib/*/faketime: install the faketime package");
    }

    private String log(String name) throws java.io.IOException {
        return Files.readString(dir.resolve(name + ".log"));
    }
}
