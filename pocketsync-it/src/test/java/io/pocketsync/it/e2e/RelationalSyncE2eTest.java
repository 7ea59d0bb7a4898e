package io.pocketsync.it.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.device.VerifyReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Room-style schemas: {@code INTEGER PRIMARY KEY} keys assigned by each device, foreign keys between them, a
 * self-reference. Rows inserted at once on two devices both exist everywhere, references point at the same logical
 * row on every device, and parent deletes racing child inserts leave every device, and a fresh one, with the same
 * rows and a clean {@code PRAGMA foreign_key_check}.
 */
class RelationalSyncE2eTest {
    private static final String[] SCHEMA = {
        "CREATE TABLE Artist (ArtistId INTEGER PRIMARY KEY AUTOINCREMENT, Name TEXT)",
        "CREATE TABLE Album (AlbumId INTEGER PRIMARY KEY, Title TEXT NOT NULL,"
                + " ArtistId INTEGER NOT NULL REFERENCES Artist (ArtistId) ON DELETE CASCADE)",
        "CREATE TABLE Track (TrackId INTEGER PRIMARY KEY, Name TEXT, AlbumId INTEGER REFERENCES Album (AlbumId))",
        "CREATE TABLE Employee (EmployeeId INTEGER PRIMARY KEY, Name TEXT,"
                + " ReportsTo INTEGER REFERENCES Employee (EmployeeId) ON DELETE SET NULL)",
        "CREATE TABLE Note (NoteId INTEGER PRIMARY KEY, Body TEXT, rev INTEGER NOT NULL DEFAULT 0, updated_at TEXT)",
        // an app trigger that stamps a value no other device could compute the same way
        "CREATE TRIGGER note_touch AFTER UPDATE OF Body ON Note BEGIN UPDATE Note SET rev = rev + 1,"
                + " updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now') || '-' || hex(randomblob(4)) WHERE NoteId = NEW.NoteId; END",
        "CREATE TABLE Setting (key TEXT PRIMARY KEY, value TEXT)",
        "CREATE TABLE Tag (TagId INTEGER PRIMARY KEY, Name TEXT NOT NULL UNIQUE)",
        "CREATE TABLE ArtistTag (ArtistId INTEGER NOT NULL REFERENCES Artist (ArtistId),"
                + " TagId INTEGER NOT NULL REFERENCES Tag (TagId), PRIMARY KEY (ArtistId, TagId))",
    };
    private static final String[] TABLES = {"Artist", "Album", "Track", "Employee", "Note", "Setting", "Tag", "ArtistTag"};
    private static final String NOTES = "SELECT Body, rev, updated_at FROM Note ORDER BY Body";
    /** The relational content, through joins: local key numbers may differ per device. */
    private static final String CONTENT = "SELECT ar.Name AS artist, al.Title AS album, t.Name AS track FROM Artist ar"
            + " LEFT JOIN Album al ON al.ArtistId = ar.ArtistId LEFT JOIN Track t ON t.AlbumId = al.AlbumId"
            + " ORDER BY 1, 2, 3";
    private static final String STAFF = "SELECT e.Name AS name, b.Name AS boss FROM Employee e"
            + " LEFT JOIN Employee b ON b.EmployeeId = e.ReportsTo ORDER BY 1";

    @TempDir
    Path dir;
    private E2eHarness harness;

    @BeforeEach
    void startServer() {
        harness = new E2eHarness(dir);
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void rowsWithAutoAssignedKeysFromTwoDevicesBothExistEverywhere() {
        E2eHarness.Node a = device("a");
        E2eHarness.Node b = device("b");
        a.disconnect();
        b.disconnect();
        // both pick ArtistId 1 and AlbumId 1 for different rows
        a.db.exec("INSERT INTO Artist (Name) VALUES ('AC/DC')",
                "INSERT INTO Album (Title, ArtistId) VALUES ('Back in Black', last_insert_rowid())",
                "INSERT INTO Track (Name, AlbumId) VALUES ('Hells Bells', last_insert_rowid())");
        b.db.exec("INSERT INTO Artist (Name) VALUES ('Accept')",
                "INSERT INTO Album (Title, ArtistId) VALUES ('Balls to the Wall', last_insert_rowid())",
                "INSERT INTO Track (Name, AlbumId) VALUES ('Fast as a Shark', last_insert_rowid())");
        assertThat(a.db.query("SELECT ArtistId FROM Artist")).isEqualTo(b.db.query("SELECT ArtistId FROM Artist"));
        a.online();
        b.online();

        awaitSame(a, b);
        assertThat(a.db.query(CONTENT)).hasSize(2).containsExactly(
                Map.of("artist", "AC/DC", "album", "Back in Black", "track", "Hells Bells"),
                Map.of("artist", "Accept", "album", "Balls to the Wall", "track", "Fast as a Shark"));
        assertThat(a.errors).isEmpty();
        assertThat(b.errors).isEmpty();

        // an edit on the device that is not the row's origin travels back to the origin
        b.db.exec("UPDATE Album SET Title = 'Back in Black (Remastered)' WHERE Title = 'Back in Black'");
        awaitSame(a, b);
        assertThat(a.db.query("SELECT Title FROM Album ORDER BY Title")).extracting(r -> r.get("Title"))
                .containsExactly("Back in Black (Remastered)", "Balls to the Wall");

        // a fresh device gets the same relations, with its own key numbers
        E2eHarness.Node c = device("c");
        awaitSame(a, b, c);
    }

    @Test
    void twoDevicesInsertingTheSameNaturalKeyWriteOneRow() {
        E2eHarness.Node a = device("a");
        E2eHarness.Node b = device("b");
        a.db.exec("INSERT INTO Artist (Name) VALUES ('Shared')");
        awaitSame(a, b);
        a.disconnect();
        b.disconnect();
        // a TEXT primary key, a UNIQUE name on a rowid-keyed table, and a composite key of two references
        a.db.exec("INSERT INTO Setting (key, value) VALUES ('theme', 'dark')",
                "INSERT INTO Tag (Name) VALUES ('rock')",
                "INSERT INTO ArtistTag (ArtistId, TagId) SELECT ArtistId, TagId FROM Artist, Tag WHERE Artist.Name = 'Shared'"
                        + " AND Tag.Name = 'rock'");
        long aWrote = System.currentTimeMillis();
        b.db.exec("INSERT INTO Tag (Name) VALUES ('metal')", // b's TagId for 'rock' differs from a's
                "INSERT INTO Tag (Name) VALUES ('rock')",
                "INSERT INTO ArtistTag (ArtistId, TagId) SELECT ArtistId, TagId FROM Artist, Tag WHERE Artist.Name = 'Shared'"
                        + " AND Tag.Name = 'rock'");
        // b's write is the later one by the clock (HLCs have millisecond resolution)
        await().until(() -> System.currentTimeMillis() > aWrote);
        b.db.exec("INSERT INTO Setting (key, value) VALUES ('theme', 'light')");
        a.online();
        b.online();

        String tags = "SELECT ar.Name AS artist, t.Name AS tag FROM ArtistTag x JOIN Artist ar USING (ArtistId)"
                + " JOIN Tag t USING (TagId) ORDER BY 1, 2";
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (E2eHarness.Node device : List.of(a, b)) {
                assertThat(device.engine.pendingCount()).isZero();
                assertThat(device.db.query("SELECT key, value, ps_global_id FROM Setting"))
                        .isEqualTo(a.db.query("SELECT key, value, ps_global_id FROM Setting")).hasSize(1);
                assertThat(device.db.query("SELECT Name, ps_global_id FROM Tag ORDER BY Name"))
                        .isEqualTo(a.db.query("SELECT Name, ps_global_id FROM Tag ORDER BY Name")).hasSize(2);
                assertThat(device.db.query(tags)).isEqualTo(List.of(Map.of("artist", "Shared", "tag", "rock")));
            }
        });
        assertThat(a.db.query("SELECT value FROM Setting")).containsExactly(Map.of("value", "light"));
        for (E2eHarness.Node device : List.of(a, b)) {
            assertThat(device.db.count("SELECT count(*) FROM __pocketsync_dead_letter")).isZero();
            assertThat(device.errors).isEmpty();
        }
    }

    @Test
    void aSelfReferenceFollowsTheRow() {
        E2eHarness.Node a = device("a");
        E2eHarness.Node b = device("b");
        a.db.exec("INSERT INTO Employee (Name) VALUES ('Andrew')",
                "INSERT INTO Employee (Name, ReportsTo) VALUES ('Nancy', (SELECT EmployeeId FROM Employee WHERE Name = 'Andrew'))",
                "INSERT INTO Employee (Name, ReportsTo) VALUES ('Jane', (SELECT EmployeeId FROM Employee WHERE Name = 'Nancy'))");
        b.disconnect();
        b.db.exec("INSERT INTO Employee (Name) VALUES ('Zed')"); // b's numbering now differs from a's
        awaitSame(a);
        b.online();
        awaitSame(a, b);
        assertThat(b.db.query(STAFF)).isEqualTo(a.db.query(STAFF)).contains(Map.of("name", "Jane", "boss", "Nancy"));

        // ON DELETE SET NULL: b puts Zed under Nancy while a deletes Nancy; Zed and Jane report to no one, everywhere
        a.disconnect();
        b.disconnect();
        b.db.exec("UPDATE Employee SET ReportsTo = (SELECT EmployeeId FROM Employee WHERE Name = 'Nancy') WHERE Name = 'Zed'");
        a.db.exec("PRAGMA foreign_keys = ON", "DELETE FROM Employee WHERE Name = 'Nancy'");
        a.online();
        b.online();
        E2eHarness.Node c = device("c");
        awaitSame(a, b, c);
        assertThat(c.db.query("SELECT Name, ReportsTo FROM Employee WHERE Name IN ('Jane', 'Zed') ORDER BY Name"))
                .extracting(r -> r.get("Name") + "->" + r.get("ReportsTo")).containsExactly("Jane->null", "Zed->null");
        // the server still names Nancy in those rows (it knows no foreign keys): their checksums match all the same
        for (E2eHarness.Node device : List.of(a, b, c)) {
            VerifyReport report = device.engine.verify(false).join();
            assertThat(report.compared()).isTrue();
            assertThat(report.mismatch()).as("%s: %s", device, report).isFalse();
        }
    }

    @Test
    void aParentDeleteRacingAChildInsertLeavesNoOrphansAnywhere() {
        E2eHarness.Node a = device("a");
        E2eHarness.Node b = device("b");
        a.db.exec("INSERT INTO Artist (Name) VALUES ('Doomed')",
                "INSERT INTO Album (Title, ArtistId) VALUES ('First', last_insert_rowid())");
        awaitSame(a, b);

        a.disconnect();
        b.disconnect();
        a.db.exec("PRAGMA foreign_keys = ON", "DELETE FROM Artist WHERE Name = 'Doomed'"); // cascades to 'First' on a
        b.db.exec("INSERT INTO Album (Title, ArtistId) VALUES ('Second', (SELECT ArtistId FROM Artist WHERE Name = 'Doomed'))",
                "INSERT INTO Track (Name, AlbumId) VALUES ('Song', last_insert_rowid())");
        b.online();
        await().atMost(Duration.ofSeconds(20)).until(() -> b.engine.pendingCount() == 0);
        a.online();

        awaitSame(a, b);
        assertThat(a.db.query("SELECT * FROM Album")).isEmpty();
        assertThat(a.db.query("SELECT * FROM Track")).isEmpty();
        // a fresh device catches up from the server, which still holds the child rows: they are held there too
        E2eHarness.Node c = device("c");
        awaitSame(a, b, c);
        assertThat(c.db.query("SELECT * FROM Album")).isEmpty();

        // rows inserted later under a live parent are unaffected
        a.db.exec("INSERT INTO Artist (Name) VALUES ('Alive')",
                "INSERT INTO Album (Title, ArtistId) VALUES ('Third', last_insert_rowid())");
        awaitSame(a, b, c);
        assertThat(c.db.query(CONTENT)).extracting(r -> r.get("artist") + "/" + r.get("album")).containsExactly("Alive/Third");
        for (E2eHarness.Node device : List.of(a, b, c)) {
            assertThat(device.errors).isEmpty();
        }
    }

    @Test
    void appTriggersConvergeAndAValidatingTriggerParksOnlyTheRowItRefuses() {
        E2eHarness.Node a = device("a");
        E2eHarness.Node b = device("b");
        a.db.exec("CREATE TRIGGER note_check BEFORE INSERT ON Note WHEN NEW.Body = 'forbidden'"
                + " BEGIN SELECT RAISE(ABORT, 'forbidden body'); END");
        a.db.exec("INSERT INTO Note (Body) VALUES ('draft')");
        awaitSame(a, b);
        a.db.exec("UPDATE Note SET Body = 'final' WHERE Body = 'draft'");
        b.db.exec("INSERT INTO Note (Body) VALUES ('from b')");
        b.db.exec("UPDATE Note SET Body = 'from b, edited' WHERE Body = 'from b'");
        awaitSame(a, b);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(b.db.query(NOTES)).isEqualTo(a.db.query(NOTES)));
        assertThat(a.db.query(NOTES)).extracting(r -> r.get("Body") + "@" + r.get("rev"))
                .containsExactly("final@1", "from b, edited@1");

        // b has no check trigger (an older app version): a refuses b's row with the trigger's message, and goes on
        b.db.exec("INSERT INTO Note (Body) VALUES ('forbidden')");
        b.db.exec("INSERT INTO Note (Body) VALUES ('later')");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(a.db.query("SELECT Body FROM Note WHERE Body = 'later'")).hasSize(1);
            assertThat(a.db.query("SELECT message FROM __pocketsync_dead_letter")).extracting(r -> (String) r.get("message"))
                    .anySatisfy(m -> assertThat(m).contains("forbidden body"));
        });
        assertThat(a.db.query("SELECT Body FROM Note WHERE Body = 'forbidden'")).isEmpty();
        assertThat(a.db.query("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'note_%' ORDER BY name"))
                .extracting(r -> r.get("name")).containsExactly("note_check", "note_touch");
    }

    private E2eHarness.Node device(String name) {
        return harness.device(name, SCHEMA, TABLES);
    }

    /** Waits until the devices hold the same relational content, nothing is pending, and no foreign key dangles. */
    private static void awaitSame(E2eHarness.Node... devices) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (E2eHarness.Node device : devices) {
                assertThat(device.engine.pendingCount()).isZero();
                assertThat(device.db.query("PRAGMA foreign_key_check")).as("foreign_key_check on %s", device.db.file).isEmpty();
                assertThat(device.db.query(CONTENT)).isEqualTo(devices[0].db.query(CONTENT));
                assertThat(device.db.query(STAFF)).isEqualTo(devices[0].db.query(STAFF));
                assertThat(device.db.count("SELECT count(*) FROM Track")).isEqualTo(devices[0].db.count("SELECT count(*) FROM Track"));
            }
        });
    }
}
