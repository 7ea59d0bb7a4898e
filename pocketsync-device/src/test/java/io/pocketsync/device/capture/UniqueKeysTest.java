package io.pocketsync.device.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.capture.LocalChange;
import io.pocketsync.api.model.Change;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The UNIQUE constraints a device names in its changes ({@code uniq}): all but the one the row's id derives from. */
class UniqueKeysTest {
    @TempDir
    Path dir;

    @Test
    void everyPlainUniqueIndexButTheIdentityKeyIsListedInIndexNameOrder() throws SQLException {
        TestDb db = new TestDb(dir, "schema.db");
        db.exec("CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT UNIQUE, a INTEGER, b INTEGER, nick TEXT, UNIQUE (a, b))",
                "CREATE UNIQUE INDEX users_nick_active ON users (nick) WHERE nick IS NOT NULL",
                "CREATE UNIQUE INDEX users_lower_email ON users (lower(email))",
                "CREATE TABLE Tag (TagId INTEGER PRIMARY KEY, Name TEXT NOT NULL UNIQUE, Slug TEXT UNIQUE, UNIQUE (TagId, Slug))",
                "CREATE TABLE Plain (id INTEGER PRIMARY KEY, body TEXT)");
        try (Connection c = db.dataSource.getConnection()) {
            TableSchema users = TableSchema.read(c, "users");
            assertThat(users.identityKey()).containsExactly("id");
            // the automatic indexes are named by declaration order; partial and expression indexes are left out
            assertThat(users.uniqueKeys()).containsExactly(List.of("email"), List.of("a", "b"));

            TableSchema tag = TableSchema.read(c, "Tag");
            assertThat(tag.identityKey()).containsExactly("Name");
            // a set with the local rowid key means nothing on another device
            assertThat(tag.uniqueKeys()).containsExactly(List.of("Slug"));

            assertThat(TableSchema.read(c, "Plain").uniqueKeys()).isEmpty();
        }
    }

    @Test
    void pendingChangesCarryTheirTablesUniqueKeys() {
        TestDb db = new TestDb(dir, "device.db");
        db.exec("CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT UNIQUE)", "CREATE TABLE note (id TEXT PRIMARY KEY, body TEXT)");
        try (SqliteTriggerCapture capture = new SqliteTriggerCapture(db.dataSource, Clock.systemUTC(), CaptureOptions.DEFAULTS)) {
            capture.install(List.of("users", "note"));
            db.exec("INSERT INTO users (id, email) VALUES ('u1', 'x@example.com')", "INSERT INTO note (id, body) VALUES ('n1', 'hi')",
                    "DELETE FROM users");

            assertThat(capture.pending(0, 10)).extracting(LocalChange::change).extracting(Change::table, Change::uniqueKeys)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("note", List.of()));
            db.exec("INSERT INTO users (id, email) VALUES ('u2', 'y@example.com')");
            assertThat(capture.pending(0, 10)).extracting(LocalChange::change).filteredOn(ch -> ch.table().equals("users"))
                    .singleElement().satisfies(ch -> assertThat(ch.uniqueKeys()).containsExactly(List.of("email")));
        }
    }
}
