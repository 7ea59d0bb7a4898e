package io.pocketsync.store.sqlite;

import io.pocketsync.api.checksum.ChecksumDelta;
import io.pocketsync.api.checksum.RowHash;
import io.pocketsync.api.checksum.ScopeChecksums;
import io.pocketsync.api.checksum.TableChecksum;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.server.engine.store.StoreJson;
import java.nio.ByteBuffer;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scopes' checksums of row state ({@code ps_checksums_v3}): one row per scope and table whose {@code buckets} blob
 * holds the 256 bucket row counts as zigzag varints and then the 256 bucket hash sums as big-endian 64-bit integers
 * (Java adds them, wrapping modulo 2<sup>64</sup>, where SQLite's integers would turn into reals). A batch reads and
 * rewrites the blob of each table it touches, in its own transaction: one row per table rather than one per bucket,
 * which the upkeep's cost is mostly made of. A rowid table with a unique index on {@code (scope, tbl)}, so that the
 * row (about 2.3-2.8 KB) fits its page and a batch rewrites one page per table: keyed by {@code (scope, tbl)} itself
 * ({@code WITHOUT ROWID}), as the previous {@code ps_checksums_xxh64} was with 4,096-byte blobs, a row over about
 * 1 KB spills to an overflow page and each batch wrote two. Read in one read transaction together with the head, so
 * the two always agree.
 *
 * <p>Opening a file converts the previous table's blobs once ({@code ps_checksums_xxh64}, fixed 8-byte counts); a file
 * of the first version ({@code ps_checksums}, which summed another hash) or one written before checksums existed gets
 * them computed from its rows.
 */
final class SqliteChecksums {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteChecksums.class);
    /** Largest blob: 10 bytes per varint count at worst, 8 per sum. */
    private static final int MAX_BLOB_BYTES = RowHash.BUCKETS * (10 + Long.BYTES);

    private static final String TABLE = "ps_checksums_v3";
    private static final String PREVIOUS = "ps_checksums_xxh64";
    private static final List<String> DDL = List.of("""
            CREATE TABLE ps_checksums_v3 (
              id INTEGER PRIMARY KEY,
              scope TEXT NOT NULL,
              tbl TEXT NOT NULL,
              buckets BLOB NOT NULL
            )""", "CREATE UNIQUE INDEX ps_checksums_v3_key ON ps_checksums_v3 (scope, tbl)");

    private SqliteChecksums() {}

    /** Creates the table if the file has none, from the previous one or the rows there are (one transaction). */
    static void create(SqliteConnection writer) throws SQLException {
        writer.execute("BEGIN IMMEDIATE");
        try {
            if (!exists(writer, TABLE)) {
                writer.prepared("DROP TABLE IF EXISTS ps_checksums").execute();
                for (String ddl : DDL) {
                    writer.prepared(ddl).execute();
                }
                if (exists(writer, PREVIOUS)) {
                    convert(writer);
                }
                else {
                    backfill(writer);
                }
            }
            writer.execute("COMMIT");
        }
        catch (SQLException | RuntimeException e) {
            writer.execute("ROLLBACK");
            throw e;
        }
    }

    private static boolean exists(SqliteConnection writer, String table) throws SQLException {
        try (ResultSet rs = writer.prepared("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = '" + table + "'")
                .executeQuery()) {
            return rs.next();
        }
    }

    /** Rewrites the previous table's blobs (counts as 8-byte integers) in this layout and drops it. */
    private static void convert(SqliteConnection writer) throws SQLException {
        List<String> scopes = new ArrayList<>();
        List<TableChecksum> tables = new ArrayList<>();
        try (ResultSet rs = writer.prepared("SELECT scope, tbl, buckets FROM " + PREVIOUS).executeQuery()) {
            while (rs.next()) {
                ByteBuffer blob = ByteBuffer.wrap(rs.getBytes(3));
                long[] counts = new long[RowHash.BUCKETS];
                for (int bucket = 0; bucket < RowHash.BUCKETS; bucket++) {
                    counts[bucket] = blob.getLong();
                }
                TableChecksum.Builder builder = new TableChecksum.Builder(rs.getString(2));
                for (int bucket = 0; bucket < RowHash.BUCKETS; bucket++) {
                    builder.addHalves(bucket, counts[bucket], blob.getLong(), 0);
                }
                scopes.add(rs.getString(1));
                tables.add(builder.build());
            }
        }
        for (int i = 0; i < tables.size(); i++) {
            write(writer, scopes.get(i), tables.get(i));
        }
        writer.prepared("DROP TABLE " + PREVIOUS).execute();
        LOG.info("SQLite store: checksums of {} tables rewritten in the one-page layout", tables.size());
    }

    /** Drops the tables: a store that does not keep checksums leaves none that would go stale. */
    static void drop(SqliteConnection writer) throws SQLException {
        for (String table : List.of("ps_checksums", PREVIOUS, TABLE)) {
            writer.prepared("DROP TABLE IF EXISTS " + table).execute();
        }
    }

    private static void backfill(SqliteConnection writer) throws SQLException {
        Map<String, Map<String, TableChecksum.Builder>> scopes = new LinkedHashMap<>();
        long rows = 0;
        try (ResultSet rs = writer.prepared("SELECT scope, tbl, gid, row_json FROM ps_rows WHERE deleted = 0").executeQuery()) {
            while (rs.next()) {
                String table = rs.getString(2);
                String gid = rs.getString(3);
                scopes.computeIfAbsent(rs.getString(1), s -> new LinkedHashMap<>()).computeIfAbsent(table, TableChecksum.Builder::new)
                        .add(gid, RowHash.of(table, gid, StoreJson.readRow(rs.getString(4))));
                rows++;
            }
        }
        for (Map.Entry<String, Map<String, TableChecksum.Builder>> scope : scopes.entrySet()) {
            for (TableChecksum.Builder table : scope.getValue().values()) {
                write(writer, scope.getKey(), table.build());
            }
        }
        if (rows > 0) {
            LOG.info("SQLite store: checksums of {} stored rows computed once for this file", rows);
        }
    }

    /** Adds a batch's change of the checksums; call inside its transaction. */
    static void apply(SqliteConnection writer, Scope scope, ChecksumDelta delta) throws SQLException {
        Map<String, TableChecksum.Builder> tables = new LinkedHashMap<>();
        for (ChecksumDelta.Entry entry : delta.entries()) {
            tables.computeIfAbsent(entry.table(), table -> stored(writer, scope.name(), table))
                    .addHalves(entry.bucket(), entry.count(), entry.low(), entry.high());
        }
        for (TableChecksum.Builder table : tables.values()) {
            write(writer, scope.name(), table.build());
        }
    }

    private static TableChecksum.Builder stored(SqliteConnection writer, String scope, String table) {
        try {
            PreparedStatement select = writer.prepared("SELECT buckets FROM " + TABLE + " WHERE scope = ? AND tbl = ?");
            select.setString(1, scope);
            select.setString(2, table);
            TableChecksum.Builder builder = new TableChecksum.Builder(table);
            try (ResultSet rs = select.executeQuery()) {
                if (rs.next()) {
                    addBlob(builder, rs.getBytes(1));
                }
            }
            return builder;
        }
        catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void write(SqliteConnection writer, String scope, TableChecksum table) throws SQLException {
        ByteBuffer blob = ByteBuffer.allocate(MAX_BLOB_BYTES);
        for (int bucket = 0; bucket < RowHash.BUCKETS; bucket++) {
            long count = table.bucketCount(bucket);
            long zigzag = (count << 1) ^ (count >> 63);
            while ((zigzag & ~0x7fL) != 0) {
                blob.put((byte) ((zigzag & 0x7f) | 0x80));
                zigzag >>>= 7;
            }
            blob.put((byte) zigzag);
        }
        for (int bucket = 0; bucket < RowHash.BUCKETS; bucket++) {
            blob.putLong(table.bucketSum(bucket));
        }
        PreparedStatement upsert = writer.prepared("INSERT INTO " + TABLE + " (scope, tbl, buckets) VALUES (?, ?, ?)"
                + " ON CONFLICT (scope, tbl) DO UPDATE SET buckets = excluded.buckets");
        upsert.setString(1, scope);
        upsert.setString(2, table.table());
        upsert.setBytes(3, Arrays.copyOf(blob.array(), blob.position()));
        upsert.executeUpdate();
    }

    private static void addBlob(TableChecksum.Builder builder, byte[] bytes) {
        ByteBuffer blob = ByteBuffer.wrap(bytes);
        long[] counts = new long[RowHash.BUCKETS];
        for (int bucket = 0; bucket < RowHash.BUCKETS; bucket++) {
            long zigzag = 0;
            int shift = 0;
            byte next;
            do {
                next = blob.get();
                zigzag |= (long) (next & 0x7f) << shift;
                shift += 7;
            }
            while (next < 0);
            counts[bucket] = (zigzag >>> 1) ^ -(zigzag & 1);
        }
        for (int bucket = 0; bucket < RowHash.BUCKETS; bucket++) {
            long sum = blob.getLong();
            builder.addHalves(bucket, counts[bucket], sum, 0);
        }
    }

    /**
     * The fine checksums of every table, or of one, and the head they hold at, in one read transaction.
     *
     * @param table the one table to read; null for every table
     */
    static ScopeChecksums read(SqliteConnection reader, Scope scope, @Nullable String table) throws SQLException {
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
            List<TableChecksum> checksums = new ArrayList<>();
            PreparedStatement select = reader.prepared("SELECT tbl, buckets FROM " + TABLE + " WHERE scope = ?"
                    + (table == null ? "" : " AND tbl = ?"));
            select.setString(1, scope.name());
            if (table != null) {
                select.setString(2, table);
            }
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    TableChecksum.Builder builder = new TableChecksum.Builder(rs.getString(1));
                    addBlob(builder, rs.getBytes(2));
                    checksums.add(builder.build());
                }
            }
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
                    rows.add(SqliteRowReads.rowState(rs));
                }
            }
        }
        return rows;
    }
}
