package io.pocketsync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static io.pocketsync.server.TestDatabases.sqlite3;
import static org.awaitility.Awaitility.await;

import io.pocketsync.device.PocketSyncDevice;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sidecar: {@code pocketsync device} syncs a file that only the external {@code sqlite3} shell
 * writes, with a second (library) device on the other side.
 */
class DeviceCommandIT {
    @TempDir
    Path dir;


    @Test
    void sidecarSyncsWritesOfAnExternalSqlite3Process() throws Exception {
        String scope = "sidecar-" + UUID.randomUUID();
        ServerSettings settings = ServerSettings.of(Map.of(ServerSettings.PORT, "0",
                ServerSettings.SQLITE_PATH, dir.resolve("server.db").toString(),
                ServerSettings.TOKENS, scope + ":tok-1"));
        Path sidecarDb = dir.resolve("app.db");
        Path phoneDb = dir.resolve("phone.db");
        sqlite3(sidecarDb, "CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0);");
        TestDatabases.createTodo(phoneDb);

        try (ServerRuntime server = ServerRuntime.start(settings)) {
            ShutdownSignal signal = new ShutdownSignal();
            CompletableFuture<CliRun> sidecar = CliRun.async(signal, "device",
                    "--db", sidecarDb.toString(), "--table", "todo", "--server", server.webSocketUri().toString(),
                    "--scope", scope, "--token", "tok-1");
            try (PocketSyncDevice phone = PocketSyncDevice.builder().database(phoneDb).tables("todo")
                    .server(server.webSocketUri()).scope(scope).token("tok-1").transport("websocket").build()) {
                phone.start();
                // The sidecar installs its triggers on start; wait for them before the shell writes.
                await().atMost(Duration.ofSeconds(20)).until(() -> sqlite3(sidecarDb,
                        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'todo';").matches("[1-9][0-9]*")
                        || sidecar.isDone());
                assertThat(sidecar).isNotDone();

                sqlite3(sidecarDb, "INSERT INTO todo (id, title) VALUES ('shell', 'written by sqlite3');");
                await().atMost(Duration.ofSeconds(20)).until(() -> "written by sqlite3".equals(TestDatabases.title(phoneDb, "shell")));

                TestDatabases.execute(phoneDb, "INSERT INTO todo (id, title) VALUES ('phone', 'from the phone')");
                await().atMost(Duration.ofSeconds(20)).until(() ->
                        sqlite3(sidecarDb, "SELECT title FROM todo WHERE id = 'phone';").equals("from the phone"));
            }
            finally {
                signal.requestStop();
            }
            CliRun result = sidecar.get(30, TimeUnit.SECONDS);
            assertThat(result.exitCode()).as("stderr: %s", result.err()).isZero();
        }
    }

    @Test
    void uninstallRemovesEverythingPocketSyncAddedAndKeepsTheApp() throws Exception {
        Path db = dir.resolve("leaving.db");
        sqlite3(db, "CREATE TABLE todo (id INTEGER PRIMARY KEY, title TEXT NOT NULL);"
                + " CREATE INDEX todo_title ON todo (title);"
                + " CREATE TRIGGER todo_upper AFTER INSERT ON todo BEGIN UPDATE todo SET title = upper(title) WHERE id = NEW.id; END;"
                + " INSERT INTO todo (title) VALUES ('a'), ('b');");
        try (PocketSyncDevice device = PocketSyncDevice.builder().database(db).tables("todo").server(java.net.URI.create("ws://127.0.0.1:1/sync"))
                .scope("s").transport("websocket").build()) {
            device.start();
            sqlite3(db, "INSERT INTO todo (title) VALUES ('c');");
            await().atMost(Duration.ofSeconds(10)).until(() -> sqlite3(db, "SELECT count(*) FROM __pocketsync_changes;").equals("3"));
        }
        assertThat(sqlite3(db, "SELECT count(*) FROM sqlite_master WHERE name LIKE '\\_\\_pocketsync%' ESCAPE '\\';")).isNotEqualTo("0");

        CliRun run = CliRun.run("device", "--uninstall", "--db", db.toString());
        assertThat(run.exitCode()).as("stderr: %s", run.err()).isZero();

        assertThat(sqlite3(db, "SELECT count(*) FROM sqlite_master WHERE name LIKE '\\_\\_pocketsync%' ESCAPE '\\';")).isEqualTo("0");
        assertThat(sqlite3(db, "SELECT group_concat(name) FROM pragma_table_info('todo');")).isEqualTo("id,title");
        assertThat(sqlite3(db, "SELECT group_concat(title) FROM (SELECT title FROM todo ORDER BY id);")).isEqualTo("A,B,C");
        assertThat(sqlite3(db, "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE tbl_name = 'todo'"
                + " AND type IN ('index', 'trigger') ORDER BY name);")).isEqualTo("todo_title,todo_upper");
        CliRun again = CliRun.run("device", "--uninstall", "--db", db.toString());
        assertThat(again.exitCode()).isEqualTo(CliErrorHandler.FAILURE);
        assertThat(again.errLines()[0]).contains("not installed").contains("SCHEMA_INVALID");
    }

    @Test
    void syncingWithoutServerOrScopeIsAOneLineConfigError() throws Exception {
        Path db = dir.resolve("some.db");
        sqlite3(db, "CREATE TABLE todo (id TEXT PRIMARY KEY);");
        CliRun run = CliRun.run("device", "--db", db.toString(), "--table", "todo");
        assertThat(run.exitCode()).isEqualTo(CliErrorHandler.USAGE);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errLines()[0]).contains("--server").contains("--scope");
    }

    @Test
    void missingDatabaseIsAOneLineConfigError() {
        CliRun run = CliRun.run("device", "--db", dir.resolve("missing.db").toString(), "--table", "todo",
                "--server", "ws://127.0.0.1:1/sync", "--scope", "s");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errLines()[0]).contains("missing.db");
    }

    @Test
    void tablesAndTokensOfSeveralScopesThatDoNotFitAreOneLineConfigErrors() throws Exception {
        Path db = dir.resolve("scopes.db");
        sqlite3(db, "CREATE TABLE todos (id TEXT PRIMARY KEY); CREATE TABLE notes (id TEXT PRIMARY KEY);");
        String server = "ws://127.0.0.1:1/sync";

        CliRun noToken = CliRun.run("device", "--db", db.toString(), "--server", server, "--table", "todos@team",
                "--table", "notes@alice", "--token", "team=t");
        CliRun twice = CliRun.run("device", "--db", db.toString(), "--server", server, "--table", "todos@team",
                "--table", "todos@alice");
        CliRun stray = CliRun.run("device", "--db", db.toString(), "--server", server, "--table", "todos@team",
                "--token", "team=t", "--token", "bob=b");

        assertThat(noToken.exitCode()).isEqualTo(CliErrorHandler.USAGE);
        assertThat(noToken.errLines()).hasSize(1);
        assertThat(noToken.errLines()[0]).contains("scope alice has no token").contains("--token alice=TOKEN");
        assertThat(twice.exitCode()).isEqualTo(CliErrorHandler.USAGE);
        assertThat(twice.errLines()[0]).contains("--table todos is given in scope team and in scope alice");
        assertThat(stray.exitCode()).isEqualTo(CliErrorHandler.USAGE);
        assertThat(stray.errLines()[0]).contains("a token for scope bob");
    }
}
