package io.pocketsync.device.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.capture.LocalChange;
import io.pocketsync.api.model.Change;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Natural-key ids are a wire fact: every device, every version and every third-party client must derive the same id
 * for the same key. The literals were computed by the first implementation (commit e41ebe9); the sealer checks them a
 * round at a time now, which must not change which id a row gets.
 */
class NaturalIdsTest {
    @TempDir
    Path dir;
    TestDb db;
    SqliteTriggerCapture capture;

    @BeforeEach
    void setUp() {
        db = new TestDb(dir, "app.db");
        capture = new SqliteTriggerCapture(db.dataSource, Clock.systemUTC(), CaptureOptions.DEFAULTS);
    }

    @AfterEach
    void tearDown() {
        capture.close();
    }

    private List<Change> pending() {
        return capture.pending(0, 1_000_000).stream().map(LocalChange::change).collect(Collectors.toList());
    }

    private Map<Object, String> idsBy(String column) {
        return pending().stream().collect(Collectors.toMap(c -> c.row().get(column), Change::globalId, (x, y) -> y));
    }

    @Test
    void idsOfKeysAreThoseEveryDeviceDerived() {
        assertThat(NaturalIds.of("todo", List.of("a"))).isEqualTo("n23b78ca0dfdbac0b3fa5eab56206342a");
        assertThat(NaturalIds.of("items", List.of("item-0-0"))).isEqualTo("n9907265bbc9fb5b3166e0bf91b309d6a");
        assertThat(NaturalIds.of("pair", List.of("x", 5L))).isEqualTo("nf68af1b7523611e8591341caab1bbae6");
        assertThat(NaturalIds.of("nums", List.of(42L))).isEqualTo("nf1afad527ec13abfda3e5defc7044316");
        assertThat(NaturalIds.of("reals", List.of(1.5))).isEqualTo("n3bda8e996a6449d343df89faef8cc6c6");
        assertThat(NaturalIds.of("blobs", List.of((Object) new byte[] {1, 2, (byte) 0xff})))
                .isEqualTo("nafe91c01992f16b6fa215aaa99ae62eb");
        assertThat(NaturalIds.of("ArtistTag", List.of("n0123456789abcdef0123456789abcdef", "00000000000a0123456789ab00000001")))
                .isEqualTo("nb8835325f35035378312eafec9c4eacd");
        assertThat(NaturalIds.of("Setting", List.of("th\u00e9me \u65e5\u672c \"q\""))).isEqualTo("nc58f94c8195a503478e9b82d868195f2");
    }

    @Test
    void oneDigestDerivesManyIdsAsFreshOnesDo() {
        NaturalIds ids = new NaturalIds();
        for (int i = 0; i < 3; i++) {
            assertThat(ids.id("todo", List.of("a"))).isEqualTo("n23b78ca0dfdbac0b3fa5eab56206342a");
            assertThat(ids.id("pair", List.of("x", 5L))).isEqualTo("nf68af1b7523611e8591341caab1bbae6");
        }
    }

    @Test
    void everyKindOfValueInAKeyNamesTheRowAsItsImageHoldsIt() {
        db.exec("CREATE TABLE kinds (t TEXT, n INTEGER, r REAL, b BLOB, note TEXT, PRIMARY KEY (t, n, r, b))");
        capture.install(List.of("kinds"));
        byte[] blob = {1, 2, (byte) 0xff};
        db.exec("INSERT INTO kinds (note, t, n, r, b) VALUES (?, ?, ?, ?, ?)", "first", "x", 5L, 1.5, blob);
        assertThat(pending()).singleElement().extracting(Change::globalId)
                .isEqualTo(NaturalIds.of("kinds", List.of("x", 5L, 1.5, blob)));
    }

    @Test
    void aKeyOfReferencesNamesTheParentsIdsGivenInTheSameRoundOrBefore() {
        db.exec("CREATE TABLE Item (ItemId INTEGER PRIMARY KEY, Name TEXT NOT NULL UNIQUE)",
                "CREATE TABLE Tag (TagId INTEGER PRIMARY KEY, Name TEXT NOT NULL UNIQUE)",
                "CREATE TABLE ItemTag (ItemId INTEGER NOT NULL REFERENCES Item (ItemId), TagId INTEGER NOT NULL REFERENCES Tag (TagId),"
                        + " PRIMARY KEY (ItemId, TagId))");
        capture.install(List.of("Item", "Tag", "ItemTag"));
        // parents and child sealed in one round
        db.exec("INSERT INTO Item (Name) VALUES ('i')", "INSERT INTO Tag (Name) VALUES ('t')",
                "INSERT INTO ItemTag (ItemId, TagId) SELECT ItemId, TagId FROM Item, Tag");
        String item = NaturalIds.of("Item", List.of("i"));
        String tag = NaturalIds.of("Tag", List.of("t"));
        assertThat(pending()).extracting(Change::globalId).containsExactly(item, tag, NaturalIds.of("ItemTag", List.of(item, tag)));
        // a child of parents sealed before
        db.exec("INSERT INTO Tag (Name) VALUES ('u')");
        assertThat(pending()).hasSize(4);
        db.exec("INSERT INTO ItemTag (ItemId, TagId) SELECT ItemId, TagId FROM Item, Tag WHERE Tag.Name = 'u'");
        assertThat(pending().get(4).globalId()).isEqualTo(NaturalIds.of("ItemTag", List.of(item, NaturalIds.of("Tag", List.of("u")))));
    }

    @Test
    void aKeyWhoseIdAnotherRowKeptGetsAnOrdinaryIdTheOthersTheirs() {
        db.exec("CREATE TABLE todo (id TEXT PRIMARY KEY, title TEXT)");
        capture.install(List.of("todo"));
        db.exec("INSERT INTO todo (id) VALUES ('a'), ('b'), ('c')");
        assertThat(pending()).hasSize(3);
        // the rows keep the ids their old keys named
        db.exec("UPDATE todo SET id = 'x' WHERE id = 'a'", "UPDATE todo SET id = 'y' WHERE id = 'b'");
        db.exec("INSERT INTO todo (id) VALUES ('b'), ('d'), ('a')"); // one round
        Map<Object, String> ids = idsBy("id");
        assertThat(ids.get("x")).isEqualTo(NaturalIds.of("todo", List.of("a")));
        assertThat(ids.get("y")).isEqualTo(NaturalIds.of("todo", List.of("b")));
        assertThat(ids.get("d")).isEqualTo(NaturalIds.of("todo", List.of("d")));
        assertThat(List.of(ids.get("a"), ids.get("b"))).doesNotHaveDuplicates()
                .allSatisfy(id -> assertThat(id).hasSize(32).matches("[0-9a-f]+"));
        assertThat(db.count("SELECT count(DISTINCT ps_global_id) FROM todo")).isEqualTo(6);
    }

    @Test
    void aRowWithANullInItsKeyGetsAnOrdinaryId() {
        db.exec("CREATE TABLE tag (id INTEGER PRIMARY KEY, name TEXT UNIQUE)");
        capture.install(List.of("tag"));
        db.exec("INSERT INTO tag (name) VALUES (NULL), (NULL), ('n')");
        assertThat(pending()).extracting(Change::globalId).hasSize(3).doesNotHaveDuplicates()
                .satisfies(ids -> assertThat(ids.get(2)).isEqualTo(NaturalIds.of("tag", List.of("n"))))
                .satisfies(ids -> assertThat(ids.subList(0, 2)).allSatisfy(id -> assertThat(id).hasSize(32)));
    }
}
