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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scopes' checksums of row state ({@code ps_checksums_xxh64}, named for the row hash it sums: a file of the first
 * version, whose {@code ps_checksums} summed another hash, gets the new table filled once and the old one dropped):
 * one row per scope and table whose {@code buckets} blob
 * holds the 256 bucket row counts and then the 256 bucket hash sums, as big-endian 64-bit integers (Java adds them,
 * wrapping modulo 2<sup>64</sup>, where SQLite's integers would turn into reals). A batch reads and rewrites the blob
 * of each table it touches, in its own transaction: one row per table rather than one per bucket, which the upkeep's
 * cost is mostly made of. Read in one read transaction together with the head, so the two always agree. A file
 * written before the table existed gets it filled from its rows once, when the store opens it.
 */
final class SqliteChecksums {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteChecksums.class);
    private static final int BLOB_BYTES = 2 * RowHash.BUCKETS * Long.BYTES;

    private static final String TABLE = "ps_checksums_xxh64";
    private static final String DDL = """
            CREATE TABLE ps_checksums_xxh64 (
              scope TEXT NOT NULL,
              tbl TEXT NOT NULL,
              buckets BLOB NOT NULL,
              PRIMARY KEY (scope, tbl)
            ) WITHOUT ROWID""";

    private SqliteChecksums() {}

    /** Creates the table if the file has none, filled from the rows there are (one transaction). */
    static void create(SqliteConnection writer) throws SQLException {
        writer.execute("BEGIN IMMEDIATE");
        try {
            boolean exists;
            try (ResultSet rs = writer.prepared("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = '" + TABLE + "'")
                    .executeQuery()) {
                exists = rs.next();
            }
            if (!exists) {
                writer.prepared("DROP TABLE IF EXISTS ps_checksums").execute();
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

    /** Drops the table: a store that does not keep checksums leaves none that would go stale. */
    static void drop(SqliteConnection writer) throws SQLException {
        writer.prepared("DROP TABLE IF EXISTS ps_checksums").execute();
        writer.prepared("DROP TABLE IF EXISTS " + TABLE).execute();
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
        ByteBuffer blob = ByteBuffer.allocate(BLOB_BYTES);
        for (int bucket = 0; bucket < RowHash.BUCKETS; bucket++) {
            blob.putLong(table.bucketCount(bucket));
        }
        for (int bucket = 0; bucket < RowHash.BUCKETS; bucket++) {
            blob.putLong(table.bucketSum(bucket));
        }
        PreparedStatement upsert = writer.prepared("INSERT INTO " + TABLE + " (scope, tbl, buckets) VALUES (?, ?, ?)"
                + " ON CONFLICT (scope, tbl) DO UPDATE SET buckets = excluded.buckets");
        upsert.setString(1, scope);
        upsert.setString(2, table.table());
        upsert.setBytes(3, blob.array());
        upsert.executeUpdate();
    }

    private static void addBlob(TableChecksum.Builder builder, byte[] bytes) {
        ByteBuffer blob = ByteBuffer.wrap(bytes);
        long[] counts = new long[RowHash.BUCKETS];
        for (int bucket = 0; bucket < RowHash.BUCKETS; bucket++) {
            counts[bucket] = blob.getLong();
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
