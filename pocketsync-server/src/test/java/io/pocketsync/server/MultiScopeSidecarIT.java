package io.pocketsync.server;

import static io.pocketsync.server.TestDatabases.sqlite3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.device.PocketSyncDevice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code ./pocketsync device} processes of several scopes each (issue #20 item 2, docs/protocol.md 3.9), with a
 * static token per scope, written only by the {@code sqlite3} shell: they share a team scope's {@code todos}, each keeps
 * its {@code notes} in a private scope, and both read a fleet scope's {@code config} on a read-only token (an admin
 * device with the read-write token writes it). One sidecar gives its tokens as flags and a token file, the other in its
 * {@code --config} file.
 */
class MultiScopeSidecarIT {
    private static final Duration PATIENCE = Duration.ofSeconds(40);
    private static final String DDL = "CREATE TABLE todos (id TEXT PRIMARY KEY, title TEXT);"
            + " CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT); CREATE TABLE config (id TEXT PRIMARY KEY, v TEXT);";

    @TempDir
    Path dir;

    @Test
    void twoSidecarsShareTheTeamScopeKeepTheirPrivateOnesAndReadTheFleetScope() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String alice = "alice-" + run;
        String bob = "bob-" + run;
        String team = "team-" + run;
        String fleet = "fleet-" + run;
        Path aDb = dir.resolve("a.db");
        Path bDb = dir.resolve("b.db");
        Path adminDb = dir.resolve("admin.db");
        sqlite3(aDb, DDL);
        sqlite3(bDb, DDL);
        sqlite3(adminDb, DDL);
        Path aliceToken = Files.writeString(dir.resolve("alice.token"), "ta\n");
        Path bConfig = Files.writeString(dir.resolve("b.properties"), String.join("\n",
                DeviceSettings.TABLES + "=todos@" + team + ",notes@" + bob + ",config@" + fleet,
                DeviceSettings.TOKEN + "." + team + "=tt",
                DeviceSettings.TOKEN + "." + bob + "=tb",
                DeviceSettings.TOKEN + "." + fleet + "=tf", ""));

        try (ServerRuntime server = ServerRuntime.start(ServerSettings.of(Map.of(
                ServerSettings.PORT, "0",
                ServerSettings.SQLITE_PATH, dir.resolve("server.db").toString(),
                ServerSettings.TOKENS, alice + ":ta," + bob + ":tb," + team + ":tt," + fleet + ":admin",
                "auth.static-token.read-only-tokens", fleet + ":tf")));
                JarProcesses processes = new JarProcesses(dir);
                PocketSyncDevice admin = PocketSyncDevice.builder().database(adminDb).table("config", fleet).token("admin")
                        .server(server.webSocketUri()).transport("websocket").build()) {
            String uri = server.webSocketUri().toString();
            processes.start("a", "device", "--db", aDb.toString(), "--server", uri, "--table", "todos@" + team,
                    "--table", "notes@" + alice, "--table", "config@" + fleet, "--token", team + "=tt",
                    "--token-file", alice + "=" + aliceToken, "--token", fleet + "=tf");
            processes.start("b", "device", "--db", bDb.toString(), "--server", uri, "--config", bConfig.toString());
            admin.start();
            awaitTriggers(aDb, processes, "a");
            awaitTriggers(bDb, processes, "b");

            sqlite3(aDb, "INSERT INTO todos (id, title) VALUES ('a1', 'from a'); INSERT INTO notes (id, body) VALUES ('a-note', 'a private');");
            sqlite3(bDb, "INSERT INTO todos (id, title) VALUES ('b1', 'from b'); INSERT INTO notes (id, body) VALUES ('b-note', 'b private');");
            TestDatabases.execute(adminDb, "INSERT INTO config (id, v) VALUES ('interval', '60')");

            await().atMost(PATIENCE).until(() -> ids(aDb, "todos").equals("a1,b1") && ids(bDb, "todos").equals("a1,b1")
                    && ids(aDb, "config").equals("interval") && ids(bDb, "config").equals("interval"));
            assertThat(processes.log("a")).contains("in scopes " + team + ", " + alice + ", " + fleet)
                    .contains("Connected to scope " + team + " (grant rw)")
                    .contains("Connected to scope " + fleet + " (grant r (read-only: local writes are refused and reverted))");

            // a write to the read-only fleet scope is refused and put back; the team scope goes on meanwhile
            sqlite3(aDb, "INSERT INTO config (id, v) VALUES ('local-hack', '1'); INSERT INTO todos (id, title) VALUES ('a2', 'after the hack');");
            await().atMost(PATIENCE).until(() -> ids(bDb, "todos").equals("a1,a2,b1")
                    && ids(aDb, "config").equals("interval") && processes.log("a").contains("SCOPE_READ_ONLY"));
            assertThat(ids(bDb, "config")).isEqualTo("interval");

            // private scopes stay private (the team's rows arrived after them)
            assertThat(ids(aDb, "notes")).isEqualTo("a-note");
            assertThat(ids(bDb, "notes")).isEqualTo("b-note");
            assertThat(processes.log("a") + processes.log("b")).doesNotContain("AUTH_FAILED");
        }
    }

    private static void awaitTriggers(Path db, JarProcesses processes, String name) {
        await().atMost(PATIENCE).until(() -> sqlite3(db, "SELECT count(DISTINCT tbl_name) FROM sqlite_master"
                + " WHERE type = 'trigger' AND tbl_name IN ('todos', 'notes', 'config');").equals("3")
                || processes.log(name).contains("ERROR"));
        assertThat(processes.log(name)).doesNotContain("ERROR");
    }

    /** The table's ids, comma-separated in order, read by the sqlite3 shell. */
    private static String ids(Path db, String table) throws Exception {
        return sqlite3(db, "SELECT group_concat(id) FROM (SELECT id FROM " + table + " ORDER BY id);");
    }
}
