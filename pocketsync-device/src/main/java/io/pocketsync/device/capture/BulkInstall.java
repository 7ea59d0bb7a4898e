package io.pocketsync.device.capture;

import static io.pocketsync.api.Identifiers.quoteSql;

import io.pocketsync.api.model.Hlc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
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
 * <p>Runs in one transaction of its own, after the triggers exist: the app's writes wait for it (the INFO line says
 * how long), and a write committed before it is journaled and left out of the bulk. Stateless.
 */
final class BulkInstall {
    private static final Logger LOG = LoggerFactory.getLogger(BulkInstall.class);
    private static final HexFormat HEX = HexFormat.of();

    /** Tables with fewer rows to give ids take the journal path (as big as a bulk seal round). */
    static final int MIN_ROWS = InstallSealing.ROUND;
    /** Rows read, given ids and written per step; bounds memory. */
    private static final int CHUNK = 10_000;

    private BulkInstall() {}

    /**
     * Gives ids to the rows of {@code schema} that have none and no journal row, and starts their bulk push, when they
     * are at least {@link #MIN_ROWS}; call inside a transaction.
     *
     * @return the rows taken on the bulk path, 0 when the table takes the journal path
     */
    static long start(Connection c, StatementCache statements, TableSchema schema, Map<String, TableSchema> schemas,
            String deviceId, Clock clock) throws SQLException {
        String table = quoteSql(schema.name());
        String withoutId = " WHERE " + SystemTables.GLOBAL_ID + " IS NULL AND rowid NOT IN (SELECT rid FROM " + SystemTables.JOURNAL
                + " WHERE tbl = " + Sql.literal(schema.name()) + ")";
        long rows = Sql.queryLong(c, "SELECT count(*) FROM " + table + withoutId);
        if (rows < MIN_ROWS) {
            return 0;
        }
        long start = System.nanoTime();
        boolean firstIds = Sql.queryLong(c, "SELECT NOT EXISTS (SELECT 1 FROM " + table + " WHERE " + SystemTables.GLOBAL_ID
                + " IS NOT NULL)") != 0;
        String index = SystemTables.PREFIX + "_gid_" + schema.name();
        if (firstIds) {
            Sql.execute(c, "DROP INDEX IF EXISTS " + quoteSql(index));
        }
        long upper = assign(c, statements, schema, schemas, deviceId, clock, withoutId, !firstIds);
        TableInstaller.install(c, schema); // builds the index again (a sort) and checks the ids are unique
        long baseHlc = Math.max(Sql.queryLong(c, "SELECT " + SystemTables.DEVICE_CLOCK + " FROM " + SystemTables.DEVICE_STATE
                + " WHERE id = 1") + 1, Hlc.of(clock.millis(), 0).value());
        Sql.update(c, "UPDATE " + SystemTables.DEVICE_STATE + " SET hlc = max(hlc, ?) WHERE id = 1", baseHlc);
        new BulkRecords(statements).start(schema.name(), upper, baseHlc, rows, deviceId + "-b" + HEX.toHexDigits(baseHlc) + "-");
        LOG.info("tracking table {}: {} existing rows given ids in {} ms (writes of other connections waited), to be pushed in"
                + " bulk pages", schema.name(), rows, (System.nanoTime() - start) / 1_000_000);
        return rows;
    }

    /** Gives every row without an id one, in rowid order, a chunk at a time; returns the highest rowid given one. */
    private static long assign(Connection c, StatementCache statements, TableSchema schema, Map<String, TableSchema> schemas,
            String deviceId, Clock clock, String withoutId, boolean askTable) throws SQLException {
        NaturalIds ids = new NaturalIds();
        KeyTranslation keys = KeyTranslation.of(schemas);
        String deviceBits = ChangeEmitter.deviceBits(deviceId);
        long counter = Sql.queryLong(c, "SELECT gid_counter FROM " + SystemTables.DEVICE_STATE + " WHERE id = 1");
        long now = clock.millis();
        PreparedStatement read = c.prepareStatement("SELECT rowid, " + TriggerGenerator.image(schema, "") + " FROM "
                + quoteSql(schema.name()) + withoutId + " AND rowid > ? ORDER BY rowid LIMIT " + CHUNK);
        PreparedStatement write = c.prepareStatement("UPDATE " + quoteSql(schema.name()) + " SET " + SystemTables.GLOBAL_ID
                + " = ? WHERE rowid = ?");
        long last = 0;
        try (read; write) {
            while (true) {
                Map<Long, String> images = new LinkedHashMap<>();
                read.setLong(1, last);
                try (ResultSet rs = read.executeQuery()) {
                    while (rs.next()) {
                        images.put(rs.getLong(1), rs.getString(2));
                    }
                }
                if (images.isEmpty()) {
                    break;
                }
                NaturalIdRound round = new NaturalIdRound(statements, ids, keys, askTable);
                round.prepare(schema, images);
                for (Map.Entry<Long, String> row : images.entrySet()) {
                    String id = round.naturalId(schema, row.getKey(), row.getValue());
                    if (id == null) {
                        id = ChangeEmitter.ordinaryId(now, deviceBits, ++counter);
                    }
                    round.assigned(schema.name(), row.getKey(), id);
                    write.setString(1, id);
                    write.setLong(2, row.getKey());
                    write.addBatch();
                    last = row.getKey();
                }
                write.executeBatch();
            }
        }
        Sql.update(c, "UPDATE " + SystemTables.DEVICE_STATE + " SET gid_counter = ? WHERE id = 1", counter);
        return last;
    }
}
