package io.pocketsync.device.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plans SQLite (the driver's own build) chooses for the lookups every ACK and every page runs: each must
 * search an index, never scan a system table, or its cost grows with the offline queue or with the rows synced.
 * Plans are chosen without statistics (the capture never runs ANALYZE), as on a device.
 */
class QueryPlanTest {
    @TempDir
    Path dir;
    Connection connection;

    @BeforeEach
    void setUp() throws SQLException {
        connection = new TestDb(dir, "plans.db").dataSource.getConnection();
        SystemTables.create(connection);
    }

    @AfterEach
    void tearDown() throws SQLException {
        connection.close();
    }

    @Test
    void anAckLooksUpItsChangesByIdNotByScanningThePendingOnes() throws SQLException {
        List<String> plan = plan(AckApplier.pendingNamedSql(3));

        assertThat(plan).anySatisfy(step -> assertThat(step).contains("SEARCH " + SystemTables.CHANGES)
                .contains("(change_id=?)"));
        assertThat(plan).noneSatisfy(step -> assertThat(step).contains("__pocketsync_changes_state"));
        assertThat(plan).noneSatisfy(step -> assertThat(step).startsWith("SCAN " + SystemTables.CHANGES));
    }

    @Test
    void rowSequencesAreReadThroughThePrimaryKey() throws SQLException {
        List<String> plan = plan(RowSequences.lookupSql(3));

        assertThat(plan).anySatisfy(step -> assertThat(step).contains("SEARCH r USING PRIMARY KEY (tbl=? AND gid=?)"));
        assertThat(plan).noneSatisfy(step -> assertThat(step).startsWith("SCAN r"));
    }

    @Test
    void aSealingRoundAsksForItsNaturalIdsThroughThePartialIdIndex() throws SQLException {
        try (java.sql.Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE items (id TEXT PRIMARY KEY, ps_global_id TEXT)");
            // as TableInstaller creates it
            statement.execute("CREATE UNIQUE INDEX __pocketsync_gid_items ON items (ps_global_id) WHERE ps_global_id IS NOT NULL");
        }
        List<String> plan = plan(NaturalIdRound.heldSql("items"));

        assertThat(plan).anySatisfy(step -> assertThat(step).contains("SEARCH items USING COVERING INDEX __pocketsync_gid_items"));
        assertThat(plan).noneSatisfy(step -> assertThat(step).startsWith("SCAN items"));
    }

    /** The detail column of {@code EXPLAIN QUERY PLAN}, one entry per step. */
    private List<String> plan(String sql) throws SQLException {
        List<String> steps = new ArrayList<>();
        try (PreparedStatement explain = connection.prepareStatement("EXPLAIN QUERY PLAN " + sql);
                ResultSet rs = explain.executeQuery()) {
            while (rs.next()) {
                steps.add(rs.getString("detail"));
            }
        }
        assertThat(steps).isNotEmpty();
        return steps;
    }
}
