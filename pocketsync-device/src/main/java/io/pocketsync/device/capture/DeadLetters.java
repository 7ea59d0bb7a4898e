package io.pocketsync.device.capture;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The remote changes this device could not apply ({@code __pocketsync_dead_letter}): list them, retry them after
 * fixing their cause (a missing column, a trigger that refused them, a row in the way), or drop them.
 *
 * <p>Besides remote changes, the dead letters keep this device's own rows that the server refused because another
 * row holds one of their UNIQUE values (code {@code UNIQUE_CONFLICT}, see the README's "Keys, relations and app
 * triggers"): retrying one, usually with the value changed ({@link #retry(long, Map)}), inserts it again as a local
 * write that is pushed like any other; dropping it forgets the row.
 *
 * <p>A retry writes the parked row image exactly as it was received, through the same path as any remote change
 * (key translation, held rows, app triggers set aside, capture suppressed), in one transaction that first seals
 * the journal so no local write is overtaken. If it fails again the entry stays, with the new reason. A retry
 * does not ask the server again: if the row changed on the server since, the next change of that row brings the
 * newer state; a resync ({@code --resync}) brings everything.
 *
 * <p>Works on the database file whether or not an engine runs on it (SQLite's locking orders the two). Each call
 * opens its own connection. Thread-safe.
 */
public final class DeadLetters {
    /**
     * One parked remote change.
     *
     * @param id the entry's number, for {@link #retry} and {@link #drop}
     * @param changeId the change's id
     * @param table its table
     * @param globalId the row's {@code ps_global_id}
     * @param op insert, update or delete
     * @param row the row image as received (wire form)
     * @param code why it was parked
     * @param message the reason in words (a trigger's RAISE message, a constraint)
     * @param received when it was parked
     */
    public record Entry(long id, @Nullable String changeId, String table, String globalId, Op op, Map<String, @Nullable Object> row,
            ErrorCode code, String message, Instant received) {}

    /**
     * What a retry did.
     *
     * @param id the entry
     * @param applied whether the change is now applied (and the entry gone)
     * @param code when not applied, why
     * @param message when not applied, the reason in words
     */
    public record Retry(long id, boolean applied, @Nullable ErrorCode code, @Nullable String message) {}

    private final DataSource dataSource;
    private final Clock clock;

    private DeadLetters(DataSource dataSource, Clock clock) {
        this.dataSource = requireNonNull(dataSource, "dataSource is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * The dead letters of the database behind {@code dataSource} (one PocketSync has been installed on).
     *
     * @param dataSource the device database; each operation takes one connection from it and closes it
     * @return a view of the parked changes; reads nothing until used
     */
    public static DeadLetters of(DataSource dataSource) {
        return new DeadLetters(dataSource, Clock.systemUTC());
    }

    /**
     * Every parked change, oldest first.
     *
     * @return the entries, empty when nothing is parked
     */
    public List<Entry> list() {
        try (Connection c = open()) {
            List<Entry> entries = new ArrayList<>();
            try (PreparedStatement read = c.prepareStatement("SELECT id, change_id, tbl, gid, op, row_json, code, message, received_ms"
                    + " FROM " + SystemTables.DEAD_LETTER + " ORDER BY id")) {
                try (ResultSet rs = read.executeQuery()) {
                    while (rs.next()) {
                        entries.add(entry(rs));
                    }
                }
            }
            return entries;
        }
        catch (SQLException e) {
            throw Sql.failure("reading the dead letters failed", e);
        }
    }

    /**
     * Applies a parked change again. A row the server refused ({@code UNIQUE_CONFLICT}) goes back into its table as a
     * new local write, so it is pushed again.
     *
     * @param id the entry's {@link Entry#id() id}
     * @return whether it applied; when it did not, the entry stays with the new refusal code and message
     * @throws PocketSyncException {@code INVALID_FIELD} when there is no entry {@code id}
     */
    public Retry retry(long id) {
        return retry(id, Map.of());
    }

    /**
     * Applies a parked change again with some of its values replaced: typically a row the server refused
     * ({@code UNIQUE_CONFLICT}) with a value no other row holds, which goes back into its table as a new local write
     * and is pushed again. The entry is left as it was when the retry fails.
     *
     * @param id the entry's {@link Entry#id() id}
     * @param values column to new value (wire form: text, integer, real, BLOB or null); empty to retry as parked
     * @return whether it applied; when it did not, the entry stays (a refused row keeps its code) with the new message
     * @throws PocketSyncException {@code INVALID_FIELD} when there is no entry {@code id} or a column is not in its table
     */
    public Retry retry(long id, Map<String, @Nullable Object> values) {
        requireNonNull(values, "values is null");
        try (Connection c = open(); StatementCache statements = new StatementCache(c)) {
            return Sql.inTransaction(c, () -> {
                // a write first: the transaction takes the write lock before it reads (an engine may be writing)
                statements.update("INSERT OR IGNORE INTO " + SystemTables.APPLYING + " (id) VALUES (1)");
                Entry entry = find(c, id);
                Map<String, TableSchema> schemas = trackedSchemas(c);
                new JournalSealer(statements, clock, deviceId(c)).seal(schemas, layouts(c));
                boolean local = entry.code() == ErrorCode.UNIQUE_CONFLICT;
                Map<String, @Nullable Object> row = withValues(schemas.get(entry.table()), entry, values);
                AppTriggers triggers = new AppTriggers(statements);
                if (local) {
                    // the app's own row coming back: captured (and pushed) like any local write
                    statements.update("DELETE FROM " + SystemTables.APPLYING);
                }
                else {
                    triggers.suspend();
                }
                Change change = new Change(entry.changeId() == null ? "retry-" + id : entry.changeId(), entry.table(),
                        entry.globalId(), entry.op(), row, List.of(), Hlc.ZERO, "");
                RowWriter writer = new RowWriter(statements, schemas);
                RowWriter.Refused refused;
                try {
                    writer.write(writer.validate(change), change);
                    refused = writer.flush().get(change);
                }
                catch (RowWriter.Refused e) {
                    refused = e;
                }
                if (!local) {
                    triggers.restore();
                }
                statements.update("DELETE FROM " + SystemTables.APPLYING);
                if (refused != null) {
                    ErrorCode code = local ? ErrorCode.UNIQUE_CONFLICT : refused.code;
                    statements.update("UPDATE " + SystemTables.DEAD_LETTER + " SET code = ?, message = ? WHERE id = ?",
                            code.name(), refused.getMessage(), id);
                    return new Retry(id, false, code, refused.getMessage());
                }
                statements.update("DELETE FROM " + SystemTables.DEAD_LETTER + " WHERE id = ?", id);
                return new Retry(id, true, null, null);
            });
        }
        catch (SQLException e) {
            throw Sql.failure("retrying dead letter " + id + " failed", e);
        }
    }

    private static Map<String, @Nullable Object> withValues(@Nullable TableSchema schema, Entry entry,
            Map<String, @Nullable Object> values) {
        if (values.isEmpty()) {
            return entry.row();
        }
        Map<String, @Nullable Object> row = new LinkedHashMap<>(entry.row());
        for (Map.Entry<String, @Nullable Object> value : values.entrySet()) {
            if (schema == null || !schema.hasColumn(value.getKey())) {
                throw new PocketSyncException(ErrorCode.INVALID_FIELD, "table " + entry.table() + " has no column "
                        + value.getKey());
            }
            row.put(value.getKey(), value.getValue());
        }
        return row;
    }

    /**
     * Retries every entry, oldest first.
     *
     * @return one result per entry, in the order they were tried
     */
    public List<Retry> retryAll() {
        List<Retry> results = new ArrayList<>();
        for (Entry entry : list()) {
            results.add(retry(entry.id()));
        }
        return results;
    }

    /**
     * Forgets a parked change for good.
     *
     * @param id the entry's {@link Entry#id() id}
     * @return whether there was such an entry
     */
    public boolean drop(long id) {
        try (Connection c = open()) {
            return Sql.update(c, "DELETE FROM " + SystemTables.DEAD_LETTER + " WHERE id = ?", id) > 0;
        }
        catch (SQLException e) {
            throw Sql.failure("dropping dead letter " + id + " failed", e);
        }
    }

    /**
     * Forgets every parked change.
     *
     * @return how many entries were dropped
     */
    public int dropAll() {
        try (Connection c = open()) {
            return Sql.update(c, "DELETE FROM " + SystemTables.DEAD_LETTER);
        }
        catch (SQLException e) {
            throw Sql.failure("dropping the dead letters failed", e);
        }
    }

    private Connection open() throws SQLException {
        Connection c = dataSource.getConnection();
        try {
            Sql.configure(c, Duration.ofSeconds(10), JournalMode.KEEP);
            if (Sql.queryLong(c, "SELECT count(*) FROM sqlite_master WHERE name = ?", SystemTables.DEAD_LETTER) == 0) {
                throw new PocketSyncException(ErrorCode.SCHEMA_INVALID, "PocketSync is not installed in this database"
                        + " (no " + SystemTables.DEAD_LETTER + " table)");
            }
            return c;
        }
        catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private static Entry find(Connection c, long id) throws SQLException {
        try (PreparedStatement read = c.prepareStatement("SELECT id, change_id, tbl, gid, op, row_json, code, message, received_ms"
                + " FROM " + SystemTables.DEAD_LETTER + " WHERE id = ?")) {
            read.setLong(1, id);
            try (ResultSet rs = read.executeQuery()) {
                if (!rs.next()) {
                    throw new PocketSyncException(ErrorCode.INVALID_FIELD, "no dead letter " + id + " (list them to see their ids)");
                }
                return entry(rs);
            }
        }
    }

    static Entry entry(ResultSet rs) throws SQLException {
        String json = rs.getString(6);
        Map<String, Object> row = json == null || json.isEmpty() ? Map.of() : RowImages.parse(json);
        ErrorCode code;
        try {
            code = ErrorCode.valueOf(rs.getString(7));
        }
        catch (IllegalArgumentException e) {
            code = ErrorCode.INVALID_CHANGE;
        }
        return new Entry(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), Op.valueOf(rs.getString(5)), row, code,
                rs.getString(8), Instant.ofEpochMilli(rs.getLong(9)));
    }

    private static Map<String, TableSchema> trackedSchemas(Connection c) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (PreparedStatement read = c.prepareStatement("SELECT tbl FROM " + SystemTables.VERSION + " ORDER BY tbl");
             ResultSet rs = read.executeQuery()) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        Map<String, TableSchema> schemas = new LinkedHashMap<>();
        for (String table : tables) {
            schemas.put(table, TableSchema.read(c, table));
        }
        return schemas;
    }

    private static Map<String, List<String>> layouts(Connection c) throws SQLException {
        Map<String, List<String>> layouts = new LinkedHashMap<>();
        try (PreparedStatement read = c.prepareStatement("SELECT tbl, columns FROM " + SystemTables.VERSION + " WHERE columns IS NOT NULL");
             ResultSet rs = read.executeQuery()) {
            while (rs.next()) {
                layouts.put(rs.getString(1), RowImages.parseColumns(rs.getString(2)));
            }
        }
        return layouts;
    }

    private static String deviceId(Connection c) throws SQLException {
        try (PreparedStatement read = c.prepareStatement("SELECT device_id FROM " + SystemTables.DEVICE_STATE + " WHERE id = 1");
             ResultSet rs = read.executeQuery()) {
            if (!rs.next()) {
                throw new PocketSyncException(ErrorCode.SCHEMA_INVALID, "PocketSync is not installed in this database");
            }
            return rs.getString(1);
        }
    }
}
