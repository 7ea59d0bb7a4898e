package io.pocketsync.device.capture;

import static io.pocketsync.api.Identifiers.quoteSql;
import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.checksum.RowHash;
import io.pocketsync.api.checksum.TableChecksum;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.ObjLongConsumer;

/**
 * The device's side of the checksums of row state (docs/protocol.md 4): each synced row hashed over the image this
 * device would send for it ({@link RowHash}): rowid keys left out, references as the parent's {@code ps_global_id}
 * ({@link KeyTranslation}), values of columns this device lacks merged back in ({@link MissingColumns}); rows held for
 * a missing parent ({@link HeldRows}) count with their held image, which is the server's. Rows with a local change
 * not yet acknowledged, or whose remote change was parked, are "unsettled": they count here like any row, and a
 * comparison leaves them out row by row (see {@link #unsettled}).
 *
 * <p>Reads inside the caller's transaction, so the rows and the cursor read with them agree.
 */
final class RowChecksums {
    private final StatementCache statements;
    private final Map<String, TableSchema> schemas;
    private final KeyTranslation keys;

    RowChecksums(StatementCache statements, Map<String, TableSchema> schemas) {
        this.statements = requireNonNull(statements, "statements is null");
        this.schemas = requireNonNull(schemas, "schemas is null");
        this.keys = KeyTranslation.of(schemas);
    }

    /** The checksum of one table. */
    TableChecksum table(String table) throws SQLException {
        TableChecksum.Builder builder = new TableChecksum.Builder(table);
        forEachRow(table, null, builder::add);
        return builder.build();
    }

    /** The hash of every row of {@code table} whose global id is in one of {@code buckets}. */
    Map<String, Long> hashes(String table, Set<Integer> buckets) throws SQLException {
        Map<String, Long> hashes = new HashMap<>();
        forEachRow(table, buckets, hashes::put);
        return hashes;
    }

    /**
     * The rows of {@code table} a comparison leaves out: a local change of them is pending, a remote one parked, or their
     * latest local change was refused {@code ROW_TOO_LARGE}: such a row stays in the file as written (protocol.md 3.2), so
     * a repair must not put the server's state over it or delete it. There are few such rows, and the change log keeps
     * rejected changes (only acknowledged ones are pruned), so the later-change check scans little.
     */
    Set<String> unsettled(String table) throws SQLException {
        Set<String> gids = new HashSet<>();
        for (String sql : new String[] {"SELECT gid FROM " + SystemTables.CHANGES + " WHERE state = 'pending' AND tbl = ?",
                "SELECT gid FROM " + SystemTables.DEAD_LETTER + " WHERE tbl = ? AND gid IS NOT NULL",
                "SELECT r.gid FROM " + SystemTables.CHANGES + " r WHERE r.state = 'rejected' AND r.tbl = ? AND r.reason LIKE '"
                        + ErrorCode.ROW_TOO_LARGE + "%' AND NOT EXISTS (SELECT 1 FROM " + SystemTables.CHANGES
                        + " l WHERE l.tbl = r.tbl AND l.gid = r.gid AND l.seq > r.seq)"}) {
            PreparedStatement select = statements.get(sql);
            select.setString(1, table);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    gids.add(rs.getString(1));
                }
            }
        }
        return gids;
    }

    private void forEachRow(String table, Set<Integer> buckets, ObjLongConsumer<String> visit) throws SQLException {
        TableSchema schema = schemas.get(table);
        if (schema == null) {
            return;
        }
        Map<String, Map<String, Object>> missing = missingColumns(table);
        // ON DELETE SET NULL references to a parent that is gone: NULL here (every device does the same, uncaptured),
        // while the server still holds the parent's id in the row (it knows no foreign keys): hash what it holds
        Map<String, Map<String, Object>> dangling = danglingReferences(table);
        String image = keys.wireImageSql(table, TriggerGenerator.image(schema, quoteSql(table) + "."));
        PreparedStatement select = statements.get("SELECT " + SystemTables.GLOBAL_ID + ", " + image + " FROM " + quoteSql(table)
                + " WHERE " + SystemTables.GLOBAL_ID + " IS NOT NULL");
        try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                String gid = rs.getString(1);
                if (buckets != null && !buckets.contains(RowHash.bucket(gid))) {
                    continue;
                }
                Map<String, Object> row = RowImages.parse(rs.getString(2));
                Map<String, Object> kept = missing.get(gid);
                if (kept != null) {
                    row = new LinkedHashMap<>(row);
                    row.putAll(kept);
                }
                Map<String, Object> parents = dangling.get(gid);
                if (parents != null) {
                    row = new LinkedHashMap<>(row);
                    for (Map.Entry<String, Object> parent : parents.entrySet()) {
                        if (row.get(parent.getKey()) == null) {
                            row.put(parent.getKey(), parent.getValue());
                        }
                    }
                }
                visit.accept(gid, RowHash.of(table, gid, row));
            }
        }
        PreparedStatement held = statements.get("SELECT gid, row_json FROM " + SystemTables.HELD + " WHERE tbl = ?");
        held.setString(1, table);
        try (ResultSet rs = held.executeQuery()) {
            while (rs.next()) {
                String gid = rs.getString(1);
                if (buckets == null || buckets.contains(RowHash.bucket(gid))) {
                    visit.accept(gid, RowHash.of(table, gid, RowImages.parse(rs.getString(2))));
                }
            }
        }
    }

    private Map<String, Map<String, Object>> danglingReferences(String table) throws SQLException {
        Map<String, Map<String, Object>> values = new HashMap<>();
        PreparedStatement select = statements.get("SELECT gid, col, parent_gid FROM " + SystemTables.DANGLING + " WHERE tbl = ?");
        select.setString(1, table);
        try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                values.computeIfAbsent(rs.getString(1), g -> new LinkedHashMap<>()).put(rs.getString(2), rs.getString(3));
            }
        }
        return values;
    }

    private Map<String, Map<String, Object>> missingColumns(String table) throws SQLException {
        Map<String, Map<String, Object>> values = new HashMap<>();
        PreparedStatement select = statements.get("SELECT gid, col, value FROM " + SystemTables.MISSING_COLUMNS + " WHERE tbl = ?");
        select.setString(1, table);
        try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                values.computeIfAbsent(rs.getString(1), g -> new LinkedHashMap<>()).put(rs.getString(2), rs.getObject(3));
            }
        }
        return values;
    }
}
