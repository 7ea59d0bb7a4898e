package io.pocketsync.store.sqlite;

import static io.pocketsync.testkit.store.TestChanges.insert;
import static io.pocketsync.testkit.store.TestChanges.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.conflict.ConflictResolver;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.store.ChangeOutcome;
import io.pocketsync.testkit.store.MutableClock;
import io.pocketsync.testkit.store.TestResolvers;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layout 3's idempotency records: an applied change's id is held by its row and written to {@code ps_processed} only
 * when a later change replaces it; a re-sent change is DUPLICATE either way, and pruning forgets both alike.
 */
class SqliteHeldIdsTest {
    private static final Scope SCOPE = Scope.of("held-ids");

    @TempDir
    Path directory;

    private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    private SqliteServerStore store;

    @BeforeEach
    void open() {
        store = new SqliteServerStore(SqliteStoreConfig.at(directory.resolve("server.db")), "node-1", clock);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void aBatchOfNewRowsRecordsNoIdsAndIsDuplicateWhenSentAgain() throws Exception {
        List<Change> batch = List.of(insert("c1", "r1", hlc(1), Map.of()), insert("c2", "r2", hlc(2), Map.of()));

        assertThat(statuses(batch)).containsExactly(ChangeStatus.APPLIED, ChangeStatus.APPLIED);

        assertThat(recordedIds()).isEmpty();
        assertThat(count("SELECT count(*) FROM ps_processed_batches")).isZero();
        assertThat(statuses(batch)).containsExactly(ChangeStatus.DUPLICATE, ChangeStatus.DUPLICATE);
        assertThat(statuses(List.of(insert("c2", "r2", hlc(2), Map.of()), insert("c3", "r3", hlc(3), Map.of()))))
                .containsExactly(ChangeStatus.DUPLICATE, ChangeStatus.APPLIED);
    }

    @Test
    void idsNoRowHoldsAreRecordedAndStayDuplicate() throws Exception {
        statuses(List.of(insert("c1", "r1", hlc(1), Map.of())));
        // c2 replaces c1 on r1; c3 is created and replaced within one batch; c5 loses to c4
        statuses(List.of(update("c2", "r1", hlc(2), Map.of("n", 2L)), insert("c3", "r2", hlc(3), Map.of()),
                update("c4", "r2", hlc(5), Map.of("n", 4L)), update("c5", "r2", hlc(4), Map.of("n", 5L))));

        assertThat(recordedIds()).containsExactlyInAnyOrder("c1", "c3", "c5");
        for (String id : List.of("c1", "c2", "c3", "c4", "c5")) {
            assertThat(statuses(List.of(update(id, id.equals("c1") || id.equals("c2") ? "r1" : "r2", hlc(9), Map.of()))))
                    .as(id).containsExactly(ChangeStatus.DUPLICATE);
        }
    }

    @Test
    void pruneForgetsTheIdsOfRowsCommittedBeforeItsCutButNotOfRowsWrittenAfterIt() {
        statuses(List.of(insert("early", "r1", hlc(1), Map.of()), insert("early-too", "r4", hlc(4), Map.of())));
        clock.set(clock.instant().plus(Duration.ofHours(2)));
        statuses(List.of(insert("late", "r2", hlc(2), Map.of())));

        store.prune(SCOPE, clock.instant().minus(Duration.ofHours(1)));

        // resolved again: it loses to the stored row, which is itself (and is recorded as superseded now)
        assertThat(statuses(List.of(insert("early", "r1", hlc(1), Map.of())))).containsExactly(ChangeStatus.SUPERSEDED);
        assertThat(statuses(List.of(insert("late", "r2", hlc(2), Map.of())))).containsExactly(ChangeStatus.DUPLICATE);
        // the clock goes back before the cut: a row written after the prune holds its id all the same
        clock.set(clock.instant().minus(Duration.ofHours(3)));
        statuses(List.of(insert("after", "r3", hlc(3), Map.of())));
        assertThat(statuses(List.of(insert("after", "r3", hlc(3), Map.of())))).containsExactly(ChangeStatus.DUPLICATE);
        // a smaller cut does not bring a forgotten id back
        store.prune(SCOPE, Instant.EPOCH);
        assertThat(statuses(List.of(insert("early-too", "r4", hlc(4), Map.of())))).containsExactly(ChangeStatus.SUPERSEDED);
    }

    private List<ChangeStatus> statuses(List<Change> changes) {
        ConflictResolver resolver = TestResolvers.lastWriteWins();
        Function<String, ConflictResolver> resolvers = table -> resolver;
        return store.apply(SCOPE, changes, resolvers).outcomes().stream().map(ChangeOutcome::status).toList();
    }

    private List<String> recordedIds() throws Exception {
        List<String> ids = new ArrayList<>();
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + directory.resolve("server.db"));
                Statement statement = db.createStatement();
                ResultSet rs = statement.executeQuery("SELECT change_id FROM ps_processed")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    private long count(String sql) throws Exception {
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + directory.resolve("server.db"));
                Statement statement = db.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long hlc(int logical) {
        return Hlc.of(1_900_000_000_000L, logical).value();
    }
}
