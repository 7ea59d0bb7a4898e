package io.pocketsync.server;

import static io.pocketsync.server.TestDatabases.sqlite3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new user's first runs of {@code ./pocketsync device}, as processes: a wrong path and a wrong token get a WARN
 * within seconds that says what was wrong, and a big table's push and catch-up log progress lines with rate and ETA.
 */
class FirstContactSidecarIT {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String DDL = "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, qty INTEGER);";

    @TempDir
    Path dir;
    private final String scope = "contact-" + UUID.randomUUID();
    private JarProcesses processes;
    private ServerRuntime server;

    @AfterEach
    void stop() throws Exception {
        if (processes != null) {
            processes.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aUrlWithoutTheSyncPathIsToldWithinSeconds() throws Exception {
        startServer();
        Path db = dir.resolve("app.db");
        sqlite3(db, DDL);
        String root = server.webSocketUri().resolve("/").toString();
        processes.start("device", "device", "--db", db.toString(), "--table", "items", "--server", root, "--scope", scope,
                "--token", "tok-1");

        await().atMost(PATIENCE).until(() -> processes.log("device").contains("no PocketSync endpoint"));
        assertThat(processes.log("device")).containsPattern("WARN .*cannot connect to " + Pattern.quote(root)
                + ": no PocketSync endpoint at /; the server answered 404 \\(it serves /sync\\)");
    }

    @Test
    void jsonLogsSayTheSameAsOneObjectPerLine() throws Exception {
        startServer();
        Path db = dir.resolve("app.db");
        sqlite3(db, DDL);
        String root = server.webSocketUri().resolve("/").toString();
        processes.start("device", "device", "--log-format", "json", "--db", db.toString(), "--table", "items", "--server", root,
                "--scope", scope, "--token", "tok-1");

        await().atMost(PATIENCE).until(() -> processes.log("device").contains("no PocketSync endpoint"));
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        java.util.List<com.fasterxml.jackson.databind.JsonNode> events = new java.util.ArrayList<>();
        for (String line : processes.log("device").lines().toList()) {
            if (!line.isBlank()) {
                events.add(json.readTree(line)); // every line is one JSON object
            }
        }
        assertThat(events).anySatisfy(event -> {
            assertThat(event.path("level").asText()).isEqualTo("WARN");
            assertThat(event.path("loggerName").asText()).isEqualTo("io.pocketsync.device.FirstContact");
            assertThat(event.path("formattedMessage").asText()).contains("no PocketSync endpoint at /; the server answered 404");
            assertThat(event.path("timestamp").asLong()).isPositive();
        });
    }

    @Test
    void aWrongTokenIsToldOncePerBackoffStepWithoutTheToken() throws Exception {
        startServer();
        Path db = dir.resolve("app.db");
        sqlite3(db, DDL);
        processes.start("device", Map.of("POCKETSYNC_TOKEN", "wrong-secret-token"), "device", "--db", db.toString(), "--table",
                "items", "--server", server.webSocketUri().toString(), "--scope", scope);

        await().atMost(PATIENCE).until(() -> processes.log("device").lines().filter(l -> l.contains("refused the device")).count()
                >= 2);
        String log = processes.log("device");
        assertThat(log).containsPattern("WARN .*refused the device in scope " + Pattern.quote(scope)
                + ": authentication failed.*\\(AUTH_FAILED.*\\); next attempt in \\d+");
        assertThat(log).doesNotContain("wrong-secret-token");
        // the first contact is told by the device once; the sidecar does not repeat it as an error
        assertThat(log.lines().filter(l -> l.contains("AUTH_FAILED")).count())
                .isEqualTo(log.lines().filter(l -> l.contains("refused the device")).count());
    }

    @Test
    void aBigPushAndCatchUpLogProgressWithRateAndEta() throws Exception {
        startServer();
        Path a = dir.resolve("a.db");
        Path b = dir.resolve("b.db");
        sqlite3(a, DDL + " WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000)"
                + " INSERT INTO items SELECT x, 'item number ' || x, x % 100 FROM c;");
        sqlite3(b, DDL);
        String uri = server.webSocketUri().toString();
        processes.start("a", Map.of("POCKETSYNC_TOKEN", "tok-1"), "device", "--db", a.toString(), "--table", "items",
                "--server", uri, "--scope", scope, "--progress-interval", "100ms");
        await().atMost(PATIENCE).until(() -> processes.log("a").contains("push: done"));
        // 100,000 rows: the server stores waiting bulk pages in groups of up to 16, whose ACKs come together, so a push
        // of a few groups is needed for a progress line between them
        // installing capture gave the 100,000 existing rows their ids at once; the bulk push said how far it got
        assertThat(processes.log("a")).contains("tracking table items: 100000 existing rows given ids")
                .containsPattern("INFO .*bulk: [\\d,]+ existing rows pushed, [\\d,]+ rows/s, [\\d,]+ left, ETA")
                .contains("bulk: done, 100,000 existing rows pushed");
        assertThat(processes.log("a")).containsPattern("INFO .*push: [\\d,]+ of 100,000 rows, [\\d,]+ rows/s, ETA \\d+");
        assertThat(processes.log("a")).containsPattern("push: done, 100,000 rows in \\d+");

        processes.start("b", Map.of("POCKETSYNC_TOKEN", "tok-1"), "device", "--db", b.toString(), "--table", "items",
                "--server", uri, "--scope", scope, "--progress-interval", "100ms", "--config", pullPages(100).toString());
        await().atMost(PATIENCE).until(() -> sqlite3(b, "SELECT count(*) FROM items;").equals("100000"));
        await().atMost(PATIENCE).until(() -> processes.log("b").contains("catch-up: done"));
        assertThat(processes.log("b")).containsPattern("INFO .*catch-up: [\\d,]+ of ~100,000 rows, [\\d,]+ rows/s, ETA \\d+");
    }

    /** A config file asking for small catch-up pages, so the catch-up takes long enough for progress lines. */
    private Path pullPages(int rows) throws Exception {
        Path file = dir.resolve("pull.properties");
        java.nio.file.Files.writeString(file, DeviceSettings.PULL_LIMIT + "=" + rows + "\n");
        return file;
    }

    private void startServer() {
        server = ServerRuntime.start(ServerSettings.of(Map.of(ServerSettings.PORT, "0",
                ServerSettings.SQLITE_PATH, dir.resolve("server.db").toString(), ServerSettings.TOKENS, scope + ":tok-1")));
        processes = new JarProcesses(dir);
    }
}
