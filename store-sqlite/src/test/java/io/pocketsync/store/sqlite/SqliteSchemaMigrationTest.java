package io.pocketsync.store.sqlite;

import static io.pocketsync.testkit.store.TestChanges.insert;
import static io.pocketsync.testkit.store.TestChanges.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.checksum.ChecksumLevel;
import io.pocketsync.api.checksum.ChecksumScan;
import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.store.ChangeOutcome;
import io.pocketsync.api.store.ScopeInfo;
import io.pocketsync.testkit.store.MutableClock;
import io.pocketsync.testkit.store.TestResolvers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files of older layouts open with their data and idempotency records intact, sync on and prune as before: the first
 * layout (no {@code user_version}, every processed id indexed by commit time) and the second (every processed id in
 * {@code ps_processed}, listed by batch), whose file is {@code layout-2.sql}, dumped from what that version wrote.
 */
class SqliteSchemaMigrationTest {
    /** The first layout's processed-id tables, as that version created them. */
    private static final List<String> LAYOUT_1 = List.of(
            "CREATE TABLE ps_scopes (scope TEXT PRIMARY KEY, head INTEGER NOT NULL DEFAULT 0, horizon INTEGER NOT NULL DEFAULT 0,"
                    + " audit_seq INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID",
            "CREATE TABLE ps_rows (scope TEXT NOT NULL, tbl TEXT NOT NULL, gid TEXT NOT NULL, row_json TEXT NOT NULL,"
                    + " deleted INTEGER NOT NULL, hlc INTEGER NOT NULL, device TEXT NOT NULL, column_versions TEXT NOT NULL,"
                    + " last_change_id TEXT NOT NULL, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL,"
                    + " committed_at INTEGER NOT NULL, PRIMARY KEY (scope, tbl, gid))",
            "CREATE UNIQUE INDEX ps_rows_by_seq ON ps_rows (scope, last_seq)",
            "CREATE INDEX ps_rows_tombstones ON ps_rows (scope, committed_at) WHERE deleted = 1",
            "CREATE TABLE ps_processed (scope TEXT NOT NULL, change_id TEXT NOT NULL, committed_at INTEGER NOT NULL,"
                    + " PRIMARY KEY (scope, change_id)) WITHOUT ROWID",
            "CREATE INDEX ps_processed_by_time ON ps_processed (scope, committed_at)");

    private static final long EARLY = Instant.parse("2030-01-01T00:00:00Z").toEpochMilli();
    private static final long LATE = EARLY + 3_600_000;
    private static final Scope SCOPE = Scope.of("alice");

    @TempDir
    Path directory;

    private final MutableClock clock = new MutableClock(Instant.ofEpochMilli(LATE + 60_000));

    @Test
    void layoutOneFileKeepsItsRowsAndIdsAndPrunesThemByCommitTime() throws Exception {
        Path file = directory.resolve("server.db");
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file); Statement statement = db.createStatement()) {
            for (String ddl : LAYOUT_1) {
                statement.execute(ddl);
            }
            statement.execute("INSERT INTO ps_scopes VALUES ('alice', 2, 0, 0)");
            statement.execute("INSERT INTO ps_rows VALUES ('alice', 'todo', 'r1', '{\"title\":\"one\"}', 0, " + hlc(1)
                    + ", 'device-a', '{}', 'early', 1, 1, " + EARLY + ")");
            statement.execute("INSERT INTO ps_rows VALUES ('alice', 'todo', 'r2', '{\"title\":\"two\"}', 0, " + hlc(2)
                    + ", 'device-a', '{}', 'late', 2, 2, " + LATE + ")");
            statement.execute("INSERT INTO ps_processed VALUES ('alice', 'early', " + EARLY + "), ('alice', 'late', " + LATE + ")");
        }

        try (SqliteServerStore store = open(file)) {
            assertThat(store.info(SCOPE)).isEqualTo(new ScopeInfo(2, 0));
            assertThat(store.row(SCOPE, "todo", "r2").orElseThrow().lastChangeId()).isEqualTo("late");
            assertThat(status(store.apply(SCOPE, List.of(insert("early", "r1", hlc(9), Map.of())), lww())))
                    .isEqualTo(ChangeStatus.DUPLICATE);

            store.prune(SCOPE, Instant.ofEpochMilli(EARLY + 1));

            // The early id is forgotten (its change is resolved again and loses to the stored row); the late one is not.
            assertThat(status(store.apply(SCOPE, List.of(insert("early", "r1", hlc(0), Map.of())), lww())))
                    .isEqualTo(ChangeStatus.SUPERSEDED);
            assertThat(status(store.apply(SCOPE, List.of(insert("late", "r2", hlc(9), Map.of())), lww())))
                    .isEqualTo(ChangeStatus.DUPLICATE);
            assertThat(store.apply(SCOPE, List.of(insert("new", "r3", hlc(3), Map.of())), lww()).outcomes().get(0).sequence())
                    .isEqualTo(3);
        }
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file); Statement statement = db.createStatement()) {
            assertThat(single(statement, "PRAGMA user_version")).isEqualTo(SqliteSchema.VERSION);
            assertThat(single(statement, "SELECT count(*) FROM sqlite_schema WHERE name = 'ps_processed_by_time'")).isZero();
        }
    }

    @Test
    void idsRecordedByTheFirstLayoutMeanwhileAreRegroupedWhenTheFileComesBack() throws Exception {
        Path file = directory.resolve("server.db");
        try (SqliteServerStore store = open(file)) {
            store.apply(SCOPE, List.of(insert("c1", "r1", hlc(1), Map.of())), lww());
        }
        // A first-layout version opens the file: it re-creates its time index and records an id its own way.
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file); Statement statement = db.createStatement()) {
            statement.execute(LAYOUT_1.get(LAYOUT_1.size() - 1).replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS"));
            statement.execute("INSERT INTO ps_processed VALUES ('alice', 'by-layout-1', " + EARLY + ")");
        }

        try (SqliteServerStore store = open(file)) {
            assertThat(status(store.apply(SCOPE, List.of(insert("by-layout-1", "r9", hlc(2), Map.of())), lww())))
                    .isEqualTo(ChangeStatus.DUPLICATE);
            store.prune(SCOPE, Instant.ofEpochMilli(EARLY + 1));
            assertThat(status(store.apply(SCOPE, List.of(insert("by-layout-1", "r9", hlc(2), Map.of())), lww())))
                    .isEqualTo(ChangeStatus.APPLIED);
            assertThat(status(store.apply(SCOPE, List.of(insert("c1", "r1", hlc(1), Map.of())), lww())))
                    .isEqualTo(ChangeStatus.DUPLICATE);
        }
    }

    @Test
    void layoutTwoFileKeepsItsIdsSyncsOnAndPrunesThemByCommitTime() throws Exception {
        Path file = directory.resolve("server.db");
        String script = new String(getClass().getResourceAsStream("/layout-2.sql").readAllBytes(), StandardCharsets.UTF_8);
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file); Statement statement = db.createStatement()) {
            for (String sql : script.replaceAll("(?m)^--.*\n", "").split(";\n")) {
                if (!sql.isBlank()) {
                    statement.execute(sql);
                }
            }
        }
        long written = Instant.parse("2030-01-01T00:00:00Z").toEpochMilli();
        clock.advance(Duration.ofMillis(written + 3 * 3_600_000 - clock.millis()));

        try (SqliteServerStore store = open(file)) {
            assertThat(store.info(SCOPE)).isEqualTo(new ScopeInfo(5, 0));
            // the kept checksums, converted to the one-page layout, still sum the rows
            assertThat(store.checksums(SCOPE, ChecksumLevel.FINE)).isEqualTo(ChecksumScan.checksums(store, SCOPE));
            assertThat(store.checksums(SCOPE, ChecksumLevel.FINE).table("todo").count()).isEqualTo(2);
            // replaced (c1), holding its row (c4), superseded (c5), a tombstone's (c6): all processed before
            for (String id : List.of("c1", "c4", "c5", "c6")) {
                assertThat(status(store.apply(SCOPE, List.of(update(id, "r1", hlc(9), Map.of())), lww()))).as(id)
                        .isEqualTo(ChangeStatus.DUPLICATE);
            }
            assertThat(store.apply(SCOPE, List.of(update("c7", "r1", hlc(7), Map.of("title", "seven")),
                    insert("c8", "r4", hlc(8), Map.of("title", "eight"))), lww()).outcomes())
                    .extracting(ChangeOutcome::sequence).containsExactly(6L, 7L);
            assertThat(store.page(SCOPE, 5, 10, true).rows()).extracting(RowState::globalId).containsExactly("r1", "r4");
            for (String[] resent : List.of(new String[] {"c4", "r1"}, new String[] {"c7", "r1"}, new String[] {"c8", "r4"})) {
                assertThat(status(store.apply(SCOPE, List.of(update(resent[0], resent[1], hlc(9), Map.of())), lww())))
                        .as(resent[0]).isEqualTo(ChangeStatus.DUPLICATE);
            }

            // the cut falls between the first batch and the later ones
            store.prune(SCOPE, Instant.ofEpochMilli(written + 1));

            assertThat(status(store.apply(SCOPE, List.of(insert("c2", "r2", hlc(2), Map.of("title", "two"))), lww())))
                    .isEqualTo(ChangeStatus.SUPERSEDED);
            for (String[] resent : List.of(new String[] {"c4", "r1"}, new String[] {"c5", "r2"}, new String[] {"c7", "r1"},
                    new String[] {"c8", "r4"})) {
                assertThat(status(store.apply(SCOPE, List.of(update(resent[0], resent[1], hlc(9), Map.of())), lww())))
                        .as(resent[0]).isEqualTo(ChangeStatus.DUPLICATE);
            }
            assertThat(store.row(SCOPE, "todo", "r3").orElseThrow().deleted()).isTrue();
            assertThat(store.checksums(SCOPE, ChecksumLevel.FINE)).isEqualTo(ChecksumScan.checksums(store, SCOPE));
        }
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file); Statement statement = db.createStatement()) {
            assertThat(single(statement, "PRAGMA user_version")).isEqualTo(SqliteSchema.VERSION);
            // c8 and c7 are held by their rows only
            assertThat(single(statement, "SELECT count(*) FROM ps_processed WHERE change_id IN ('c7', 'c8')")).isZero();
        }
    }

    @Test
    void fileOfANewerLayoutIsRefused() throws Exception {
        Path file = directory.resolve("server.db");
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file); Statement statement = db.createStatement()) {
            statement.execute("PRAGMA user_version = " + (SqliteSchema.VERSION + 1));
        }

        assertThatThrownBy(() -> open(file)).isInstanceOf(PocketSyncException.class)
                .satisfies(e -> assertThat(((PocketSyncException) e).code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE))
                .rootCause().hasMessageContaining("layout " + (SqliteSchema.VERSION + 1));
    }

    private SqliteServerStore open(Path file) {
        return new SqliteServerStore(SqliteStoreConfig.at(file), "node-1", clock);
    }

    private static Function<String, ConflictResolver> lww() {
        ConflictResolver resolver = TestResolvers.lastWriteWins();
        return table -> resolver;
    }

    private static ChangeStatus status(io.pocketsync.api.store.BatchOutcome outcome) {
        return outcome.outcomes().stream().map(ChangeOutcome::status).findFirst().orElseThrow();
    }

    private static long hlc(int logical) {
        return Hlc.of(1_900_000_000_000L, logical).value();
    }

    private static int single(Statement statement, String sql) throws SQLException {
        try (ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
