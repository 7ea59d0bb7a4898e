package io.pocketsync.device.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyTranslationTest {
    @TempDir
    Path dir;
    TestDb db;
    KeyTranslation keys;

    @BeforeEach
    void schema() throws SQLException {
        db = new TestDb(dir, "keys.db");
        db.exec("CREATE TABLE Artist (ArtistId INTEGER PRIMARY KEY AUTOINCREMENT, Name TEXT, ps_global_id TEXT)",
                "CREATE TABLE Album (AlbumId INTEGER PRIMARY KEY, Title TEXT, ArtistId INTEGER REFERENCES Artist (ArtistId),"
                        + " ps_global_id TEXT)",
                "CREATE TABLE Label (code TEXT PRIMARY KEY, name TEXT)",
                "CREATE TABLE Release (id TEXT PRIMARY KEY, label TEXT REFERENCES Label (code), album INTEGER REFERENCES Album)",
                "CREATE TABLE Untracked (id INTEGER PRIMARY KEY)",
                "CREATE TABLE Link (id INTEGER PRIMARY KEY, other INTEGER REFERENCES Untracked (id))");
        Map<String, TableSchema> schemas = new LinkedHashMap<>();
        try (Connection c = db.dataSource.getConnection()) {
            for (String table : List.of("Artist", "Album", "Label", "Release", "Link")) {
                schemas.put(table, TableSchema.read(c, table));
            }
        }
        keys = KeyTranslation.of(schemas);
    }

    @Test
    void onlyRowidKeysAndReferencesToThemAreTranslated() {
        assertThat(keys.keys("Artist")).isEqualTo(new KeyTranslation.TableKeys("ArtistId", Map.of()));
        assertThat(keys.keys("Album")).isEqualTo(new KeyTranslation.TableKeys("AlbumId", Map.of("ArtistId", "Artist")));
        assertThat(keys.keys("Label")).as("a TEXT key is the same on every device").isNull();
        // a reference naming only the table means its primary key
        assertThat(keys.keys("Release")).isEqualTo(new KeyTranslation.TableKeys(null, Map.of("album", "Album")));
        // a reference to an untracked table keeps its number: there is no id to translate to
        assertThat(keys.keys("Link")).isEqualTo(new KeyTranslation.TableKeys("id", Map.of()));
        assertThat(keys.childrenOf("Artist")).isEqualTo(Map.of("Album", List.of("ArtistId")));
    }

    @Test
    void theWireImageNamesTheParentByIdAndDropsTheLocalKey() {
        db.exec("INSERT INTO Artist (ArtistId, Name, ps_global_id) VALUES (7, 'AC/DC', 'gid-artist')",
                "INSERT INTO Album (AlbumId, Title, ArtistId) VALUES (3, 'Back in Black', 7)",
                "INSERT INTO Album (AlbumId, Title, ArtistId) VALUES (4, 'Orphan', 99)");
        String sql = "SELECT " + keys.wireImageSql("Album", "json_object('AlbumId', Album.AlbumId, 'Title', Album.Title, 'ArtistId', Album.ArtistId)")
                + " AS image FROM Album ORDER BY AlbumId";
        assertThat(db.query(sql)).extracting(r -> r.get("image")).containsExactly(
                "{\"Title\":\"Back in Black\",\"ArtistId\":\"gid-artist\"}",
                // a parent without an id (not sealed yet) keeps its number
                "{\"Title\":\"Orphan\",\"ArtistId\":99}");
    }

    @Test
    void theLocalImageHasTheLocalRowidOfTheParentOrIsNullWithoutIt() throws SQLException {
        Map<String, Long> rowids = Map.of("gid-artist", 12L);
        KeyTranslation.ParentLookup lookup = (table, gid) -> table.equals("Artist") ? rowids.get(gid) : null;
        Map<String, Object> wire = new LinkedHashMap<>();
        wire.put("AlbumId", 3L);
        wire.put("Title", "Back in Black");
        wire.put("ArtistId", "gid-artist");

        assertThat(keys.toLocal("Album", wire, lookup)).containsExactly(Map.entry("Title", "Back in Black"), Map.entry("ArtistId", 12L));
        wire.put("ArtistId", "gid-gone");
        assertThat(keys.toLocal("Album", wire, lookup)).isNull();
        wire.put("ArtistId", null);
        assertThat(keys.toLocal("Album", wire, lookup)).containsEntry("ArtistId", null).doesNotContainKey("AlbumId");
        Map<String, Object> label = Map.of("code", "EMI");
        assertThat(keys.toLocal("Label", label, lookup)).isSameAs(label);
    }
}
