package io.pocketsync.device.capture;

import static io.pocketsync.api.Identifiers.quoteSql;
import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema watch of a {@link SqliteTriggerCapture}: the tracked tables' schemas, the column layouts the installed
 * triggers use, and the regeneration of those triggers when the schema changed (or a column is dropped). Not
 * thread-safe: used only under the capture's lock.
 */
final class CaptureSchemas {
    /** Logs under the capture's name, as before this class was split out of it. */
    private static final Logger LOG = LoggerFactory.getLogger(SqliteTriggerCapture.class);

    private final CaptureResources resources;
    private final Map<String, TableSchema> schemas = new LinkedHashMap<>();
    /** Per table, the column layout the installed triggers' masks refer to; null until read. */
    private @Nullable Map<String, List<String>> layouts;
    private long schemaVersion = -1;

    CaptureSchemas(CaptureResources resources) {
        this.resources = resources;
    }

    /** The tracked tables' schemas, by name, in install order. */
    Map<String, TableSchema> schemas() {
        return schemas;
    }

    /** Tracks {@code tables} (schemas read at the next check) and forces that check. */
    void track(List<String> tables) {
        for (String table : tables) {
            schemas.putIfAbsent(table, null);
        }
        schemaVersion = -1;
    }

    boolean refreshSchema(boolean forceCheck) {
        Connection c = resources.connection();
        try {
            long version = Sql.queryLong(c, "PRAGMA schema_version");
            if (!forceCheck && version == schemaVersion) {
                return false;
            }
            // another process may have regenerated the triggers (pocketsync device --drop-column): read their layouts again
            layouts = null;
            boolean regenerated = resources.inTransaction(() -> regenerateIfStale(c));
            schemaVersion = Sql.queryLong(c, "PRAGMA schema_version");
            if (regenerated) {
                LOG.info("capture triggers (re)generated for {}", schemas.keySet());
            }
            return regenerated;
        }
        catch (SQLException e) {
            throw Sql.failure("schema check failed", e);
        }
    }

    /** Regenerates the triggers when the tracked tables' schema changed; inside the caller's write transaction. */
    private boolean regenerateIfStale(Connection c) throws SQLException {
        List<TableSchema> current = new ArrayList<>();
        for (String table : schemas.keySet()) {
            current.add(TableSchema.read(c, table));
        }
        String fingerprint = SchemaFingerprint.of(current);
        boolean stale = !fingerprint.equals(stateString(c, "schema_fingerprint")) || triggersMissing(c);
        if (stale) {
            // What the old triggers journaled is sealed with the layout they used, before they are replaced.
            Map<String, TableSchema> currentByName = new LinkedHashMap<>();
            current.forEach(schema -> currentByName.put(schema.name(), schema));
            Map<String, List<String>> previous = layouts();
            resources.sealer().seal(currentByName, previous);
            layouts = null;
            TableInstaller.regenerate(c, current, schemas, previous, fingerprint);
        }
        for (TableSchema schema : current) {
            schemas.put(schema.name(), schema);
        }
        return stale;
    }

    /** See {@link SqliteTriggerCapture#dropColumn}. */
    void dropColumn(String table, String column) {
        if (!schemas.containsKey(requireNonNull(table, "table is null"))) {
            throw new PocketSyncException(ErrorCode.SCHEMA_INVALID, "table " + table + " is not tracked");
        }
        refreshSchema(false);
        Connection c = resources.connection();
        resources.inTransaction(() -> {
            sealJournal(); // journal rows are sealed with the layout their triggers used
            for (String sql : TriggerGenerator.drop(table)) {
                Sql.execute(c, sql);
            }
            try {
                Sql.execute(c, "ALTER TABLE " + quoteSql(table) + " DROP COLUMN " + quoteSql(requireNonNull(column, "column is null")));
            }
            catch (SQLException e) {
                throw new PocketSyncException(ErrorCode.SCHEMA_INVALID, "cannot drop column " + column + " of " + table + ": "
                        + e.getMessage(), e);
            }
            return regenerateIfStale(c);
        });
        schemaVersion = -1;
    }

    private boolean triggersMissing(Connection c) throws SQLException {
        for (String table : schemas.keySet()) {
            for (String name : TriggerGenerator.triggerNames(table)) {
                if (Sql.queryLong(c, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = ?", name) == 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Seals inside the caller's write transaction (an empty journal costs one read). */
    void sealJournal() throws SQLException {
        resources.sealer().seal(schemas, layouts());
    }

    /** The column layouts of the installed triggers, as stored with them. */
    Map<String, List<String>> layouts() throws SQLException {
        if (layouts == null) {
            Map<String, List<String>> read = new LinkedHashMap<>();
            try (PreparedStatement statement = resources.connection().prepareStatement("SELECT tbl, columns FROM "
                    + SystemTables.VERSION + " WHERE columns IS NOT NULL");
                    ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    read.put(rs.getString(1), RowImages.parseColumns(rs.getString(2)));
                }
            }
            layouts = read;
        }
        return layouts;
    }

    /** One column of the device state row, or null when the row is missing. */
    static @Nullable String stateString(Connection c, String column) throws SQLException {
        try (PreparedStatement statement = c.prepareStatement("SELECT " + column + " FROM " + SystemTables.DEVICE_STATE
                + " WHERE id = 1");
                ResultSet rs = statement.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
