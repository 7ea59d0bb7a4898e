package io.pocketsync.store.sqlite;

import io.pocketsync.api.checksum.ChecksumDelta;
import io.pocketsync.api.checksum.RowHash;
import io.pocketsync.api.checksum.ScopeChecksums;
import io.pocketsync.api.checksum.TableChecksum;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.server.engine.store.StoreJson;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scopes' checksums of row state ({@code ps_checksums}: per scope, table and bucket the live row count and the
 * sums of the low and high 32 bits of the row hashes, see {@link ChecksumDelta}). Updated in each batch's
 * transaction; read in one read transaction together with the head, so the two always agree. A file written before
 * the table existed gets it filled from its rows once, when the store opens it.
 */
final class SqliteChecksums {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteChecksums.class);

    private static final String DDL = """
            CREATE TABLE ps_checksums (
              scope TEXT NOT NULL,
              tbl TEXT NOT NULL,
              bucket INTEGER NOT NULL,
              cnt INTEGER NOT NULL,
              lo INTEGER NOT NULL,
              hi INTEGER NOT NULL,
              PRIMARY KEY (scope, tbl, bucket)
            ) WITHOUT ROWID""";

    private SqliteChecksums() {}

    /** Creates the table if the file has none, filled from the rows there are (one transaction). */
    static void create(SqliteConnection writer) throws SQLException {
        writer.execute("BEGIN IMMEDIATE");
        try {
            boolean exists;
            try (ResultSet rs = writer.prepared("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'ps_checksums'")
                    .executeQuery()) {
                exists = rs.next();
            }
            if (!exists) {
                writer.prepared(DDL).execute();
                backfill(writer);
            }
            writer.execute("COMMIT");
        }
        catch (SQLException | RuntimeException e) {
            writer.execute("ROLLBACK");
            throw e;
        }
    }

    private static void backfill(SqliteConnection writer) throws SQLException {
        Map<String, long[]> sums = new LinkedHashMap<>();
        long rows = 0;
        try (ResultSet rs = writer.prepared("SELECT scope, tbl, gid, row_json FROM ps_rows WHERE deleted = 0").executeQuery()) {
            while (rs.next()) {
                String table = rs.getString(2);
                String gid = rs.getString(3);
                long hash = RowHash.of(table, gid, StoreJson.readRow(rs.getString(4)));
                long[] bucket = sums.computeIfAbsent(rs.getString(1) + '\0' + table + '\0' + RowHash.bucket(gid), k -> new long[3]);
                bucket[0]++;
                bucket[1] += hash & 0xffff_ffffL;
                bucket[2] += hash >>> 32;
                rows++;
            }
        }
        PreparedStatement insert = writer.prepared("INSERT INTO ps_checksums (scope, tbl, bucket, cnt, lo, hi) VALUES (?, ?, ?, ?, ?, ?)");
        for (Map.Entry<String, long[]> entry : sums.entrySet()) {
            String[] key = entry.getKey().split("\0", 3);
            insert.setString(1, key[0]);
            insert.setString(2, key[1]);
            insert.setInt(3, Integer.parseInt(key[2]));
            insert.setLong(4, entry.getValue()[0]);
            insert.setLong(5, entry.getValue()[1]);
            insert.setLong(6, entry.getValue()[2]);
            insert.addBatch();
        }
        insert.executeBatch();
        if (rows > 0) {
            LOG.info("SQLite store: checksums of {} stored rows computed once for this file", rows);
        }
    }

    /** Adds a batch's change of the checksums; call inside its transaction. */
    static void apply(SqliteConnection writer, Scope scope, ChecksumDelta delta) throws SQLException {
        if (delta.isEmpty()) {
            return;
        }
        PreparedStatement upsert = writer.prepared("INSERT INTO ps_checksums (scope, tbl, bucket, cnt, lo, hi) VALUES (?, ?, ?, ?, ?, ?) "
                + "ON CONFLICT (scope, tbl, bucket) DO UPDATE SET cnt = cnt + excluded.cnt, lo = lo + excluded.lo, hi = hi + excluded.hi");
        for (ChecksumDelta.Entry entry : delta.entries()) {
            upsert.setString(1, scope.name());
            upsert.setString(2, entry.table());
            upsert.setInt(3, entry.bucket());
            upsert.setLong(4, entry.count());
            upsert.setLong(5, entry.low());
            upsert.setLong(6, entry.high());
            upsert.addBatch();
        }
        upsert.executeBatch();
    }

    /** The checksums and the head they hold at, in one read transaction. */
    static ScopeChecksums read(SqliteConnection reader, Scope scope) throws SQLException {
        reader.execute("BEGIN");
        try {
            long head = 0;
            PreparedStatement selectHead = reader.prepared("SELECT head FROM ps_scopes WHERE scope = ?");
            selectHead.setString(1, scope.name());
            try (ResultSet rs = selectHead.executeQuery()) {
                if (rs.next()) {
                    head = rs.getLong(1);
                }
            }
            Map<String, TableChecksum.Builder> tables = new LinkedHashMap<>();
            PreparedStatement select = reader.prepared("SELECT tbl, bucket, cnt, lo, hi FROM ps_checksums WHERE scope = ?");
            select.setString(1, scope.name());
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    tables.computeIfAbsent(rs.getString(1), TableChecksum.Builder::new)
                            .addHalves(rs.getInt(2), rs.getLong(3), rs.getLong(4), rs.getLong(5));
                }
            }
            List<TableChecksum> checksums = new ArrayList<>();
            tables.values().forEach(builder -> checksums.add(builder.build()));
            return new ScopeChecksums(head, checksums);
        }
        finally {
            reader.execute("COMMIT");
        }
    }

    /** The live rows of {@code table} in {@code buckets}: one range scan of the table's rows. */
    static List<RowState> rowsInBuckets(SqliteConnection reader, Scope scope, String table, Set<Integer> buckets)
            throws SQLException {
        PreparedStatement select = reader.prepared("SELECT " + SqliteBatchWrites.ROW_COLUMNS
                + " FROM ps_rows WHERE scope = ? AND tbl = ? AND deleted = 0");
        select.setString(1, scope.name());
        select.setString(2, table);
        List<RowState> rows = new ArrayList<>();
        try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                if (buckets.contains(RowHash.bucket(rs.getString(2)))) {
                    rows.add(SqliteServerStore.rowState(rs));
                }
            }
        }
        return rows;
    }
}
