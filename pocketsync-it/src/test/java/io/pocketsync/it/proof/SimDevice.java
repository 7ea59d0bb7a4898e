package io.pocketsync.it.proof;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.api.transport.ReconnectPolicy;
import io.pocketsync.device.DeviceOptions;
import io.pocketsync.device.PocketSyncDevice;
import io.pocketsync.device.PocketSyncDeviceBuilder;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteConfig;

/**
 * A simulated app on its own SQLite file: table {@code item(id TEXT PRIMARY KEY, name, qty, price)},
 * written through the app's own JDBC connection (so capture goes through the triggers, as for any
 * writer), synced by a real {@link PocketSyncDevice} that can be restarted on the same file.
 *
 * <p>Row ids come from a pool shared by all devices and each row's {@code ps_global_id} is derived from
 * its id, so two devices that insert "the same" row write one logical row and conflict on it.
 * Not thread-safe: one driver thread uses it.
 */
final class SimDevice implements AutoCloseable {
    static final String TABLE = "item";
    /** A second table, tracked by some devices only (table subscriptions, {@link Fleet#withSubscriptions}). */
    static final String TAGS = "tag";
    /** Checksum checks run every few seconds during the run, so that a drift shows (and fails it) as a repair. */
    static final DeviceOptions OPTIONS = DeviceOptions.DEFAULTS.withPollInterval(Duration.ofMillis(20))
            .withPushTimeout(Duration.ofSeconds(2)).withPushBatchSize(50).withVerifyInterval(Duration.ofSeconds(3));

    private final String name;
    private final Path file;
    private final URI server;
    private final String scope;
    /** The scope {@link #TAGS} syncs in when it is not {@link #scope} (a device of two scopes), else null. */
    private final @Nullable String ownScope;
    private final Supplier<ClientTransport> transports;
    private final Connection app;
    private PocketSyncDevice device;
    /** Rows the self-heal repaired on any engine of this device. */
    final ChecksumCheck.Repairs repairs = new ChecksumCheck.Repairs();
    private ClientTransport transport;
    /** Whether the app was upgraded to the schema with column {@code note} ({@link #upgrade()}). */
    private boolean upgraded;
    /** Whether the engine tracks {@link #TAGS} too (from its next start). */
    private boolean tracksTags;

    SimDevice(String name, Path file, URI server, String scope, Supplier<ClientTransport> transports) throws SQLException {
        this(name, file, server, scope, null, transports);
    }

    /**
     * A device of two scopes on one connection when {@code ownScope} is not null: {@link #TABLE} syncs in the shared
     * {@code scope}, {@link #TAGS} (always tracked then) in {@code ownScope}, which other devices' tags never see.
     */
    SimDevice(String name, Path file, URI server, String scope, @Nullable String ownScope, Supplier<ClientTransport> transports)
            throws SQLException {
        this.name = requireNonNull(name, "name is null");
        this.ownScope = ownScope;
        this.tracksTags = ownScope != null;
        this.file = requireNonNull(file, "file is null");
        this.server = requireNonNull(server, "server is null");
        this.scope = requireNonNull(scope, "scope is null");
        this.transports = requireNonNull(transports, "transports is null");
        SQLiteConfig config = new SQLiteConfig();
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        config.setBusyTimeout(10_000);
        this.app = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), config.toProperties());
        try (Statement statement = app.createStatement()) {
            statement.execute("PRAGMA journal_mode = WAL");
            statement.execute("CREATE TABLE IF NOT EXISTS " + TABLE
                    + " (id TEXT PRIMARY KEY, name TEXT, qty INTEGER, price REAL)");
            statement.execute("CREATE TABLE IF NOT EXISTS " + TAGS + " (id TEXT PRIMARY KEY, label TEXT)");
            try (ResultSet columns = statement.executeQuery("SELECT count(*) FROM pragma_table_info('" + TABLE + "') WHERE name = 'note'")) {
                upgraded = columns.next() && columns.getInt(1) == 1; // a clone of an upgraded file
            }
        }
    }

    /**
     * The app's upgrade: {@code ALTER TABLE item ADD COLUMN note TEXT}, run on the app's connection whether the
     * engine runs or not; from then on its writes fill {@code note} too. Idempotent.
     *
     * @return false when the app was already upgraded
     */
    boolean upgrade() throws SQLException {
        if (upgraded) {
            return false;
        }
        try (Statement statement = app.createStatement()) {
            statement.execute("ALTER TABLE " + TABLE + " ADD COLUMN note TEXT");
        }
        upgraded = true;
        return true;
    }

    boolean upgraded() {
        return upgraded;
    }

    /**
     * A consistent copy of this device's file at {@code copy} ({@code VACUUM INTO}, as a backup tool or an image of
     * the card would make it, the WAL included), which another {@link SimDevice} can then open: a clone.
     */
    void copyTo(Path copy) throws SQLException {
        try (PreparedStatement vacuum = app.prepareStatement("VACUUM INTO ?")) {
            vacuum.setString(1, copy.toAbsolutePath().toString());
            vacuum.execute();
        }
    }

    static String globalId(String id) {
        return "g-" + id;
    }

    /** Builds and starts the engine on the file (again, after {@link #stopEngine()}). */
    void startEngine() {
        transport = transports.get();
        List<String> tables = tracksTags && ownScope == null ? List.of(TABLE, TAGS) : List.of(TABLE);
        PocketSyncDeviceBuilder builder = PocketSyncDevice.builder().database(file).tables(tables).scope(scope).server(server)
                .transport(transport).options(OPTIONS).statusListener(repairs);
        if (ownScope != null) {
            builder.table(TAGS, ownScope); // the second session of the one connection
        }
        device = builder.build();
        device.start();
    }

    /** Closes the engine; the file keeps everything, local writes keep being captured. */
    void stopEngine() {
        if (device != null) {
            device.close();
            device = null;
            transport = null;
        }
    }

    /** The engine tracks {@link #TAGS} from its next start: the table's current state then arrives from the server. */
    void trackTags() {
        tracksTags = true;
    }

    boolean tracksTags() {
        return tracksTags;
    }

    /** The scope of this device's {@link #TAGS} when it is not the shared one, else null. */
    @Nullable String ownScope() {
        return ownScope;
    }

    /**
     * Inserts, relabels or deletes tag {@code id} (ids share a global id on every device, like items'); only once the
     * engine installed {@link #TAGS}.
     *
     * @return what it did, or null when the table is not installed yet
     */
    String mutateTag(String id, int choice, String label) throws SQLException {
        try (Statement statement = app.createStatement();
             ResultSet installed = statement.executeQuery("SELECT count(*) FROM pragma_table_info('" + TAGS
                     + "') WHERE name = 'ps_global_id'")) {
            if (!installed.next() || installed.getInt(1) == 0) {
                return null;
            }
        }
        String sql = choice % 3 == 0 ? "DELETE FROM " + TAGS + " WHERE id = ?"
                : "INSERT INTO " + TAGS + " (id, ps_global_id, label) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET label = excluded.label";
        try (PreparedStatement write = app.prepareStatement(sql)) {
            write.setString(1, id);
            if (choice % 3 != 0) {
                write.setString(2, "tg-" + id);
                write.setString(3, label);
            }
            write.executeUpdate();
        }
        return choice % 3 == 0 ? "DELETE tag " + id : "UPSERT tag " + id + " label=" + label;
    }

    /** The {@link #TAGS} rows as {@code ps_global_id -> row} (tracking devices), read through the app's connection. */
    Map<String, Map<String, Object>> tagRows() throws SQLException {
        Map<String, Map<String, Object>> rows = new TreeMap<>();
        try (Statement statement = app.createStatement();
             ResultSet result = statement.executeQuery("SELECT ps_global_id, id, label FROM " + TAGS)) {
            while (result.next()) {
                Map<String, Object> row = new TreeMap<>();
                row.put("id", result.getObject(2));
                row.put("label", result.getObject(3));
                rows.put(result.getString(1), Canonical.row(row));
            }
        }
        return rows;
    }

    /** How many {@link #TAGS} rows the file holds, and how many parked remote changes name the table. */
    long tagRowsAndTagDeadLetters() throws SQLException {
        try (Statement statement = app.createStatement();
             ResultSet result = statement.executeQuery("SELECT (SELECT count(*) FROM " + TAGS + ") + (SELECT count(*) FROM"
                     + " __pocketsync_dead_letter WHERE tbl = '" + TAGS + "')")) {
            return result.next() ? result.getLong(1) : 0;
        }
    }

    void restart() {
        stopEngine();
        startEngine();
    }

    ClientTransport transport() {
        return transport;
    }

    PocketSyncDevice engine() {
        return device;
    }

    String name() {
        return name;
    }

    /**
     * Inserts, updates or deletes row {@code id} in one IMMEDIATE transaction, depending on whether it exists.
     *
     * @return what it did, for the run's trace
     */
    String mutate(String id, int choice, String text, long qty, double price) throws SQLException {
        String did;
        app.setAutoCommit(false);
        try {
            // IMMEDIATE transactions: the existence check and the write see the same state as the engine's applies
            boolean exists;
            try (PreparedStatement find = app.prepareStatement("SELECT 1 FROM " + TABLE + " WHERE id = ?")) {
                find.setString(1, id);
                try (ResultSet rows = find.executeQuery()) {
                    exists = rows.next();
                }
            }
            if (!exists) {
                try (PreparedStatement insert = app.prepareStatement("INSERT INTO " + TABLE
                        + " (id, ps_global_id, name, qty, price" + (upgraded ? ", note" : "") + ") VALUES (?, ?, ?, ?, ?"
                        + (upgraded ? ", ?" : "") + ")")) {
                    insert.setString(1, id);
                    insert.setString(2, globalId(id));
                    insert.setString(3, text);
                    insert.setLong(4, qty);
                    insert.setDouble(5, price);
                    if (upgraded) {
                        insert.setString(6, note(qty));
                    }
                    insert.executeUpdate();
                }
                did = "INSERT " + id + " name=" + text + " qty=" + qty + " price=" + price + (upgraded ? " note=" + note(qty) : "");
            }
            else if (choice % 4 == 3) {
                try (PreparedStatement delete = app.prepareStatement("DELETE FROM " + TABLE + " WHERE id = ?")) {
                    delete.setString(1, id);
                    delete.executeUpdate();
                }
                did = "DELETE " + id;
            }
            else {
                String set = switch (choice % 4) {
                    case 0 -> "qty = ?";
                    case 1 -> "name = ?, price = ?";
                    default -> "name = ?, qty = ?, price = ?";
                };
                if (upgraded && choice % 4 != 0) {
                    set += ", note = '" + note(qty) + "'"; // the upgraded app writes the new column with the old ones
                }
                try (PreparedStatement update = app.prepareStatement("UPDATE " + TABLE + " SET " + set + " WHERE id = ?")) {
                    int index = 1;
                    switch (choice % 4) {
                        case 0 -> update.setLong(index++, qty);
                        case 1 -> {
                            update.setString(index++, text);
                            update.setDouble(index++, price);
                        }
                        default -> {
                            update.setString(index++, text);
                            update.setLong(index++, qty);
                            update.setDouble(index++, price);
                        }
                    }
                    update.setString(index, id);
                    update.executeUpdate();
                }
                did = "UPDATE " + id + " SET " + set.replace("?", "") + "<- name=" + text + " qty=" + qty + " price=" + price;
            }
            app.commit();
            return did;
        }
        catch (SQLException | RuntimeException e) {
            app.rollback();
            throw e;
        }
        finally {
            app.setAutoCommit(true);
        }
    }

    private static String note(long qty) {
        return "n" + (qty % 97);
    }

    /**
     * The tracked table as {@code ps_global_id -> row}, read through the app's connection; {@code note} only once the
     * app was upgraded.
     */
    Map<String, Map<String, Object>> rows() throws SQLException {
        Map<String, Map<String, Object>> rows = new TreeMap<>();
        try (Statement statement = app.createStatement();
             ResultSet result = statement.executeQuery("SELECT ps_global_id, id, name, qty, price" + (upgraded ? ", note" : "")
                     + " FROM " + TABLE)) {
            while (result.next()) {
                Map<String, Object> row = new TreeMap<>();
                row.put("id", result.getObject(2));
                row.put("name", result.getObject(3));
                row.put("qty", result.getObject(4));
                row.put("price", result.getObject(5));
                if (upgraded) {
                    row.put("note", result.getObject(6));
                }
                rows.put(result.getString(1), Canonical.row(row));
            }
        }
        return rows;
    }

    /**
     * What this device's file holds about row {@code globalId}: the row, its recorded server sequence, a deferred
     * remote change, every captured local change of it and parked remote changes; plus the device state.
     * Read through the app's connection; a query that fails (e.g. a system table renamed) reports its error.
     */
    String diagnose(String globalId, RunTrace trace) {
        StringBuilder out = new StringBuilder();
        query(out, "state", "SELECT device_id, cursor, hlc, resync, EXISTS (SELECT 1 FROM __pocketsync_applying) AS applying FROM __pocketsync_device_state WHERE id = 1");
        query(out, "row", "SELECT * FROM " + TABLE + " WHERE ps_global_id = ?", globalId);
        query(out, "row_seq", "SELECT seq FROM __pocketsync_row_seq WHERE tbl = ? AND gid = ?", TABLE, globalId);
        query(out, "deferred", "SELECT seq, change_id, op, row_json, hlc, device FROM __pocketsync_deferred WHERE tbl = ? AND gid = ?",
                TABLE, globalId);
        query(out, "changes", "SELECT seq, change_id, op, row_json, hlc, state, server_seq, reason FROM __pocketsync_changes"
                + " WHERE tbl = ? AND gid = ? ORDER BY seq", TABLE, globalId);
        query(out, "dead_letter", "SELECT change_id, op, row_json, code, message FROM __pocketsync_dead_letter WHERE tbl = ? AND gid = ?",
                TABLE, globalId);
        return trace == null ? out.toString() : renameDevices(out.toString(), trace);
    }

    /** Rows with a pending local change. */
    java.util.Set<String> pendingRows() throws SQLException {
        java.util.Set<String> rows = new java.util.TreeSet<>();
        try (Statement statement = app.createStatement();
             ResultSet result = statement.executeQuery("SELECT DISTINCT gid FROM __pocketsync_changes WHERE state = 'pending'")) {
            while (result.next()) {
                rows.add(result.getString(1));
            }
        }
        return rows;
    }

    private static String renameDevices(String text, RunTrace trace) {
        for (Map.Entry<String, String> name : trace.deviceNames().entrySet()) {
            text = text.replace(name.getKey(), name.getValue());
        }
        return text;
    }

    private void query(StringBuilder out, String label, String sql, Object... parameters) {
        out.append("    ").append(label).append(':');
        try (PreparedStatement statement = app.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rows = statement.executeQuery()) {
                int columns = rows.getMetaData().getColumnCount();
                boolean any = false;
                while (rows.next()) {
                    any = true;
                    out.append("\n      ");
                    for (int c = 1; c <= columns; c++) {
                        out.append(c > 1 ? " " : "").append(rows.getMetaData().getColumnName(c)).append('=').append(rows.getObject(c));
                    }
                }
                if (!any) {
                    out.append(" none");
                }
            }
        }
        catch (SQLException e) {
            out.append(" query failed: ").append(e.getMessage());
        }
        out.append('\n');
    }

    @Override
    public void close() throws SQLException {
        stopEngine();
        app.close();
    }
}
