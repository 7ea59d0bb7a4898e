package io.pocketsync.server;

import static io.pocketsync.server.TestDatabases.sqlite3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A parent row deleted on one device while another device's app, offline, inserted a child of it (Room-style INTEGER
 * keys, a declared foreign key, writes by the {@code sqlite3} shell, sidecars as processes): the child is kept by the
 * server, held out of its table on every device (README, "Keys, relations and app triggers"), and the device whose
 * user wrote it says so in its log instead of letting the row vanish without a word.
 */
class HeldRowsSidecarIT {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String DDL = "CREATE TABLE projects (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL);"
            + "CREATE TABLE todos (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL,"
            + " project_id INTEGER REFERENCES projects(id));";
    private static final String TODOS = "SELECT coalesce(group_concat(title, '|'), '') FROM (SELECT title FROM todos ORDER BY title);";

    @TempDir
    Path dir;
    private final String scope = "held-" + UUID.randomUUID();
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
    void aChildWrittenOfflineUnderAParentDeletedElsewhereIsHeldAndSaidSo() throws Exception {
        server = ServerRuntime.start(ServerSettings.of(Map.of(ServerSettings.PORT, "0",
                ServerSettings.SQLITE_PATH, dir.resolve("server.db").toString(), ServerSettings.TOKENS, scope + ":tok-1")));
        processes = new JarProcesses(dir);
        Path phone = dir.resolve("phone.db");
        Path tablet = dir.resolve("tablet.db");
        sqlite3(phone, DDL + "INSERT INTO projects (name) VALUES ('Ops');");
        sqlite3(tablet, DDL);
        sidecar("phone", phone);
        Process tabletRun = sidecar("tablet", tablet);
        await().atMost(PATIENCE).ignoreExceptions().until(() -> sqlite3(tablet, "SELECT name FROM projects;").equals("Ops"));

        // the tablet goes offline; its app files a todo under Ops while the phone's app deletes Ops
        tabletRun.destroy();
        assertThat(tabletRun.waitFor(30, TimeUnit.SECONDS)).isTrue();
        sqlite3(tablet, "PRAGMA foreign_keys = ON; INSERT INTO todos (title, project_id)"
                + " VALUES ('written offline', (SELECT id FROM projects WHERE name = 'Ops'));");
        sqlite3(phone, "PRAGMA foreign_keys = ON; DELETE FROM projects WHERE name = 'Ops';");
        await().atMost(PATIENCE).ignoreExceptions().until(() -> serverRows("deleted = 1").equals("projects"));

        sidecar("tablet-again", tablet);
        // the tablet's todo reaches the server (no write is lost), and the project's delete takes it out of the table
        // on the tablet, as on the phone, which never writes it: both files end equal and consistent
        await().atMost(PATIENCE).ignoreExceptions().until(() -> serverRows("deleted = 0").equals("todos"));
        await().atMost(PATIENCE).ignoreExceptions().until(() -> sqlite3(tablet, "SELECT count(*) FROM projects;").equals("0")
                && sqlite3(tablet, TODOS).isEmpty());
        assertThat(sqlite3(phone, TODOS)).isEmpty();
        for (Path db : new Path[] {phone, tablet}) {
            assertThat(sqlite3(db, "PRAGMA foreign_key_check;")).isEmpty();
        }
        assertThat(sqlite3(tablet, "SELECT tbl FROM __pocketsync_held_rows;")).isEqualTo("todos");
        await().atMost(PATIENCE).until(() -> processes.log("tablet-again").contains("held out of the table"));
        assertThat(processes.log("tablet-again")).containsPattern("INFO .*1 row\\(s\\) of todos held out of the table \\(\\S+\\):"
                + " a parent row they reference is not on this device");
    }

    /** The tables of the server's rows of the scope that match {@code where}, one a row. */
    private String serverRows(String where) throws Exception {
        return sqlite3(dir.resolve("server.db"), "SELECT coalesce(group_concat(tbl, '|'), '') FROM ps_rows WHERE scope = '" + scope
                + "' AND " + where + ";");
    }

    private Process sidecar(String name, Path db) {
        return processes.start(name, Map.of("POCKETSYNC_TOKEN", "tok-1"), "device", "--db", db.toString(), "--table", "projects",
                "--table", "todos", "--server", server.webSocketUri().toString(), "--scope", scope);
    }
}
