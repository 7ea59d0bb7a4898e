package io.pocketsync.server;

import static io.pocketsync.server.TestDatabases.sqlite3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two sidecars whose apps inserted different keys with one e-mail while offline ({@code sqlite3} shell): the first to
 * sync keeps the e-mail, the second's row is refused ({@code UNIQUE_CONFLICT}), leaves its table and shows in
 * {@code dead-letters list} there only; the operator retries it with another e-mail and it syncs to both.
 */
class UniqueConflictCommandIT {
    private static final String USERS = "SELECT group_concat(id || '=' || email, '|') FROM (SELECT id, email FROM users ORDER BY id);";

    @TempDir
    Path dir;

    @Test
    void theSecondClaimantIsRefusedListedAndRetriedWithAnotherValue() throws Exception {
        String scope = "unique-" + UUID.randomUUID();
        ServerSettings settings = ServerSettings.of(Map.of(ServerSettings.PORT, "0",
                ServerSettings.SQLITE_PATH, dir.resolve("server.db").toString(), ServerSettings.TOKENS, scope + ":tok-1"));
        Path phone = dir.resolve("phone.db");
        Path tablet = dir.resolve("tablet.db");
        String table = "CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT UNIQUE, name TEXT);";
        sqlite3(phone, table + "INSERT INTO users VALUES ('p1', 'x@example.com', 'Pat');");
        sqlite3(tablet, table + "INSERT INTO users VALUES ('t1', 'x@example.com', 'Tom'), ('t2', 'y@example.com', 'Tia');");

        try (ServerRuntime server = ServerRuntime.start(settings)) {
            ShutdownSignal phoneStop = new ShutdownSignal();
            ShutdownSignal tabletStop = new ShutdownSignal();
            CompletableFuture<CliRun> phoneRun = sidecar(phoneStop, phone, server, scope);
            CompletableFuture<CliRun> tabletRun = null;
            try {
                await().ignoreExceptions().atMost(Duration.ofSeconds(20)).until(() ->
                        sqlite3(phone, "SELECT count(*) FROM __pocketsync_changes WHERE state = 'acked';").equals("1"));
                tabletRun = sidecar(tabletStop, tablet, server, scope);
                String expected = "p1=x@example.com|t2=y@example.com";
                await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> sqlite3(phone, USERS).equals(expected)
                        && sqlite3(tablet, USERS).equals(expected));
                assertThat(sqlite3(tablet, "SELECT reason FROM __pocketsync_changes WHERE state = 'rejected';"))
                        .startsWith("UNIQUE_CONFLICT");

                CliRun list = CliRun.run("dead-letters", "list", "--db", tablet.toString());
                assertThat(list.exitCode()).as("stderr: %s", list.err()).isZero();
                assertThat(list.out()).contains("1 parked change").contains("UNIQUE_CONFLICT").contains("users")
                        .contains("email='x@example.com'").contains("name='Tom'");
                String id = list.out().lines().findFirst().orElseThrow().split("\t")[0];
                assertThat(CliRun.run("dead-letters", "list", "--db", phone.toString()).out()).contains("0 parked changes");

                CliRun unchanged = CliRun.run("dead-letters", "retry", "--db", tablet.toString(), "--id", id);
                assertThat(unchanged.exitCode()).isEqualTo(DeadLettersCommand.STILL_PARKED);
                assertThat(unchanged.out()).contains("UNIQUE_CONFLICT");
                CliRun fixed = CliRun.run("dead-letters", "retry", "--db", tablet.toString(), "--id", id,
                        "--set", "email=tom@example.com");
                assertThat(fixed.exitCode()).as("stderr: %s", fixed.err()).isZero();
                assertThat(fixed.out()).contains(id + "\tapplied");

                String fixedRows = "p1=x@example.com|t1=tom@example.com|t2=y@example.com";
                await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> sqlite3(phone, USERS).equals(fixedRows)
                        && sqlite3(tablet, USERS).equals(fixedRows));
                assertThat(CliRun.run("dead-letters", "list", "--db", tablet.toString()).out()).contains("0 parked changes");
                assertThat(CliRun.run("dead-letters", "list", "--db", phone.toString()).out()).contains("0 parked changes");
            }
            finally {
                phoneStop.requestStop();
                tabletStop.requestStop();
            }
            assertThat(phoneRun.get(30, TimeUnit.SECONDS).exitCode()).isZero();
            assertThat(tabletRun.get(30, TimeUnit.SECONDS).exitCode()).isZero();
        }
    }

    private static CompletableFuture<CliRun> sidecar(ShutdownSignal signal, Path db, ServerRuntime server, String scope) {
        return CliRun.async(signal, "device", "--db", db.toString(), "--table", "users",
                "--server", server.webSocketUri().toString(), "--scope", scope, "--token", "tok-1");
    }
}
