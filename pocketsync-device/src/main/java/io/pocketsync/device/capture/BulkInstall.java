package io.pocketsync.device.capture;

import static io.pocketsync.api.Identifiers.quoteSql;

import io.pocketsync.api.model.Hlc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first half of the bulk path (docs/architecture.md 4.3a): a table that holds many rows when it is first tracked
 * gets every row's id at once, in rowid order, and a bulk record ({@link BulkRecords}) instead of a journal row and a
 * change-log row per row; the push then sends the rows as bulk pages read straight from the table.
 *
 * <p>Ids are derived exactly as the sealer derives them (natural keys: {@link NaturalIds}, with the round's taken-id
 * check of {@link NaturalIdRound}; other rows: time, device and counter). When no row of the table has an id yet (a
 * first install), the {@code ps_global_id} index is dropped for the assignment and built again after by
 * {@code CREATE UNIQUE INDEX}, a sort: natural ids are digests, and inserting a million of them into the index one by
 * one wrote a random page per row. That build is also the uniqueness check: a duplicate id (two keys whose wire form
 * is equal) fails it, the transaction rolls back, and the table takes the journal path instead.
 *
 * <p>Runs after the triggers exist, in transactions of {@link #ROUND} rows, so the app's writes wait for one round at
 * most (the INFO line says how long); a write committed meanwhile is journaled and its row left out of the bulk. The
 * bulk record is written first, so a restart in the middle resumes the assignment up to the same rowid. Stateless.
 */
final class BulkInstall {
    private static final Logger LOG = LoggerFactory.getLogger(BulkInstall.class);
    private static final HexFormat HEX = HexFormat.of();

    /** Tables with fewer rows to give ids take the journal path (as big as a bulk seal round). */
    static final int MIN_ROWS = InstallSealing.ROUND;
    /** Rows given ids per transaction: the app's writes wait for one round at most. */
    static final int ROUND = 25_000;

    /**
     * A table's id assignment under way: its bulk record is written, the rows up to {@code upper} without an id and
     * without a journal row get theirs round by round.
     *
     * @param askTable whether rows of the table held ids before (then the index stays and is asked, see
     *        {@link NaturalIdRound}); false when the index was dropped for the assignment
     */
    record Plan(TableSchema schema, long upper, boolean askTable, long rows, long startNanos) {}

    private BulkInstall() {}

    /**
     * Starts (or, after a restart, resumes) the bulk path for {@code schema} when at least {@link #MIN_ROWS} of its
     * rows have no id and no journal row: writes the bulk record and drops the id index when no row has an id yet.
     * Call inside a transaction.
     *
     * @return the assignment to run, or null when the table takes the journal path
     */
    static @Nullable Plan begin(Connection c, StatementCache statements, TableSchema schema, String deviceId, Clock clock)
            throws SQLException {
        String table = quoteSql(schema.name());
        BulkRecords records = new BulkRecords(statements);
        BulkRecords.Bulk resumed = records.of(schema.name());
        boolean indexed = Sql.queryLong(c, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?",
                index(schema)) > 0;
        if (resumed != null) {
            long left = Sql.queryLong(c, "SELECT count(*) FROM " + table + withoutId(schema) + " AND rowid <= ?", resumed.upper());
            return left == 0 && indexed ? null : new Plan(schema, resumed.upper(), indexed, left, System.nanoTime());
        }
        long rows = Sql.queryLong(c, "SELECT count(*) FROM " + table + withoutId(schema));
        if (rows < MIN_ROWS) {
            return null;
        }
        boolean firstIds = Sql.queryLong(c, "SELECT NOT EXISTS (SELECT 1 FROM " + table + " WHERE " + SystemTables.GLOBAL_ID
                + " IS NOT NULL)") != 0;
        if (firstIds) {
            Sql.execute(c, "DROP INDEX IF EXISTS " + quoteSql(index(schema)));
        }
        long upper = Sql.queryLong(c, "SELECT coalesce(max(rowid), 0) FROM " + table);
        long baseHlc = Math.max(Sql.queryLong(c, "SELECT " + SystemTables.DEVICE_CLOCK + " FROM " + SystemTables.DEVICE_STATE
                + " WHERE id = 1") + 1, Hlc.of(clock.millis(), 0).value());
        Sql.update(c, "UPDATE " + SystemTables.DEVICE_STATE + " SET hlc = max(hlc, ?) WHERE id = 1", baseHlc);
        records.start(schema.name(), upper, baseHlc, rows, deviceId + "-b" + HEX.toHexDigits(baseHlc) + "-");
        return new Plan(schema, upper, !firstIds, rows, System.nanoTime());
    }

    /**
     * Gives up to {@link #ROUND} rows of the plan their ids, in rowid order; call inside a transaction, until it
     * returns 0.
     *
     * @return how many rows got an id
     */
    static int round(Connection c, StatementCache statements, Plan plan, Map<String, TableSchema> schemas, String deviceId,
            Clock clock, NaturalIds ids) throws SQLException {
        TableSchema schema = plan.schema();
        String deviceBits = ChangeEmitter.deviceBits(deviceId);
        long counter = Sql.queryLong(c, "SELECT gid_counter FROM " + SystemTables.DEVICE_STATE + " WHERE id = 1");
        long now = clock.millis();
        PreparedStatement read = statements.get("SELECT rowid, " + keyImage(schema) + " FROM " + quoteSql(schema.name())
                + withoutId(schema) + " AND rowid <= ? ORDER BY rowid LIMIT " + ROUND);
        Map<Long, String> images = new LinkedHashMap<>();
        read.setLong(1, plan.upper());
        try (ResultSet rs = read.executeQuery()) {
            while (rs.next()) {
                images.put(rs.getLong(1), rs.getString(2));
            }
        }
        if (images.isEmpty()) {
            return 0;
        }
        NaturalIdRound round = new NaturalIdRound(statements, ids, KeyTranslation.of(schemas), plan.askTable());
        round.prepare(schema, images);
        PreparedStatement write = statements.get("UPDATE " + quoteSql(schema.name()) + " SET " + SystemTables.GLOBAL_ID
                + " = ? WHERE rowid = ?");
        write.clearBatch();
        for (Map.Entry<Long, String> row : images.entrySet()) {
            String id = round.naturalId(schema, row.getKey(), row.getValue());
            if (id == null) {
                id = ChangeEmitter.ordinaryId(now, deviceBits, ++counter);
            }
            round.assigned(schema.name(), row.getKey(), id);
            write.setString(1, id);
            write.setLong(2, row.getKey());
            write.addBatch();
        }
        write.executeBatch();
        Sql.update(c, "UPDATE " + SystemTables.DEVICE_STATE + " SET gid_counter = ? WHERE id = 1", counter);
        return images.size();
    }

    /**
     * Builds the id index again (a sort, which also checks the ids are unique) and tells how long it all took; call
     * inside a transaction.
     */
    static void finish(Connection c, Plan plan, long longestRoundMillis) throws SQLException {
        TableInstaller.install(c, plan.schema());
        LOG.info("tracking table {}: {} existing rows given ids in {} ms (writes of other connections waited {} ms at most),"
                + " to be pushed in bulk pages", plan.schema().name(), plan.rows(), (System.nanoTime() - plan.startNanos()) / 1_000_000,
                longestRoundMillis);
    }

    /**
     * Gives up the bulk path for a table whose ids turned out not unique (the index build refused them): the ids it gave
     * are taken back and the record dropped, so the rows take the journal path; call inside a transaction.
     */
    static void abandon(Connection c, StatementCache statements, Plan plan) throws SQLException {
        // no row held an id before (the index was dropped for that): every id is one this assignment gave
        Sql.update(c, "UPDATE " + quoteSql(plan.schema().name()) + " SET " + SystemTables.GLOBAL_ID + " = NULL");
        new BulkRecords(statements).forget(plan.schema().name());
        TableInstaller.install(c, plan.schema());
    }

    /**
     * The image of the natural key's columns, as the full image writes them ({@link TriggerGenerator#image}): all that
     * deriving the id reads, and a fifth of the full image's cost on a table of five columns. {@code '{}'} for a table
     * without a natural key.
     */
    private static String keyImage(TableSchema schema) {
        List<TableSchema.Column> key = new ArrayList<>();
        for (TableSchema.Column column : schema.columns()) {
            if (schema.identityKey().contains(column.name())) {
                key.add(column);
            }
        }
        return key.isEmpty() ? "'{}'" : TriggerGenerator.image(new TableSchema(schema.name(), key, List.of(), true, Set.of()), "");
    }

    private static String index(TableSchema schema) {
        return SystemTables.PREFIX + "_gid_" + schema.name();
    }

    /** The rows the bulk path takes: no id, and no journal row (a write the journal path turns into a change). */
    private static String withoutId(TableSchema schema) {
        return " WHERE " + SystemTables.GLOBAL_ID + " IS NULL AND rowid NOT IN (SELECT rid FROM " + SystemTables.JOURNAL
                + " WHERE tbl = " + Sql.literal(schema.name()) + ")";
    }
}
