package io.pocketsync.device.capture;

import static io.pocketsync.api.Identifiers.quoteSql;
import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.capture.ApplyReport;
import io.pocketsync.api.checksum.ScopeChecksums;
import io.pocketsync.api.checksum.TableChecksum;
import io.pocketsync.api.capture.ChangeCapture;
import io.pocketsync.api.capture.DeviceState;
import io.pocketsync.api.capture.LocalChange;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangesMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code sqlite-triggers} {@link ChangeCapture}: AFTER INSERT/UPDATE/DELETE triggers generated from
 * {@code PRAGMA table_info} (see {@link TriggerGenerator}) write a narrow journal row inside the writer's own
 * transaction, on any connection or process; {@link JournalSealer} turns the journal into pending changes in
 * {@code __pocketsync_changes} before anything reads them (push, ACK, apply), so app writes pay only for the
 * journal row.
 *
 * <p>Owns one connection taken from the data source (WAL, busy timeout, IMMEDIATE transactions).
 * Thread-safe: every method is synchronized; the device engine calls it from its engine thread.
 */
public final class SqliteTriggerCapture implements ChangeCapture {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteTriggerCapture.class);
    private static final String STATE = SystemTables.DEVICE_STATE;
    /** Journal rows sealed per transaction by {@link #pending}, at least. */
    private static final int SEAL_ROUND = 1_000;

    private final DataSource dataSource;
    private final Clock clock;
    private final CaptureOptions options;
    private final Map<String, TableSchema> schemas = new LinkedHashMap<>();
    private @Nullable Connection connection;
    private @Nullable RemoteApplier applier;
    private @Nullable StatementCache statements;
    private @Nullable JournalSealer sealer;
    /** Per table, the column layout the installed triggers' masks refer to; null until read. */
    private @Nullable Map<String, List<String>> layouts;
    private @Nullable String deviceId;
    private long schemaVersion = -1;
    private boolean closed;

    /**
     * A capture of the SQLite database behind {@code dataSource}; it opens nothing until installed.
     *
     * @param dataSource the device database (sqlite-jdbc); not null
     * @param clock stamps local changes; not null
     * @param options busy timeout and pruning limits; not null
     */
    public SqliteTriggerCapture(DataSource dataSource, Clock clock, CaptureOptions options) {
        this.dataSource = requireNonNull(dataSource, "dataSource is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.options = requireNonNull(options, "options is null");
    }

    @Override
    public synchronized void install(List<String> tables) {
        requireNonNull(tables, "tables is null");
        Connection c = connection();
        Sql.inTransaction(c, () -> {
            SystemTables.create(c);
            deviceId = stateString(c, "device_id");
            List<TableSchema> read = new ArrayList<>();
            for (String table : tables) {
                read.add(TableSchema.read(c, table));
            }
            // Parents first: existing rows are journaled in this order, so a parent is sealed (and has its id)
            // no later than its children, whose references are translated to that id.
            for (TableSchema schema : TableInstaller.parentsFirst(read)) {
                TableInstaller.install(c, schema);
            }
            return null;
        });
        for (String table : tables) {
            schemas.putIfAbsent(table, null);
        }
        schemaVersion = -1;
        refreshSchema(true);
        seal();
        // Sealed above under the id the file had, so a write journaled before a copy becomes the same change (same
        // row id and change id) in both copies; only then does a copy take its own id (see FileIdentity).
        String checked = Sql.inTransaction(c, () -> FileIdentity.check(c, deviceId()));
        if (!checked.equals(deviceId)) {
            deviceId = checked;
            sealer = null;
        }
    }

    @Override
    public synchronized boolean refreshSchema() {
        return refreshSchema(false);
    }

    private boolean refreshSchema(boolean forceCheck) {
        Connection c = connection();
        try {
            long version = Sql.queryLong(c, "PRAGMA schema_version");
            if (!forceCheck && version == schemaVersion) {
                return false;
            }
            // another process may have regenerated the triggers (pocketsync device --drop-column): read their layouts again
            layouts = null;
            boolean regenerated = Sql.inTransaction(c, () -> regenerateIfStale(c));
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
            sealer().seal(currentByName, previous);
            layouts = null;
            TableInstaller.regenerate(c, current, schemas, previous, fingerprint);
        }
        for (TableSchema schema : current) {
            schemas.put(schema.name(), schema);
        }
        return stale;
    }

    /**
     * Drops a column of a tracked table. SQLite refuses {@code ALTER TABLE ... DROP COLUMN} for a column the capture
     * triggers name, so this drops them, the column, and makes them again, in one transaction: no write goes
     * uncaptured. The column then is one this device lacks (values other devices still send for it are kept, see
     * {@link MissingColumns}), and its images no longer carry it (unchanged, for every receiver).
     *
     * @param table a tracked table
     * @param column one of its columns
     * @throws PocketSyncException with {@code SCHEMA_INVALID} when the table is not tracked or SQLite refuses the drop
     *         (a key, indexed or referenced column); nothing changed then
     */
    public synchronized void dropColumn(String table, String column) {
        if (!schemas.containsKey(requireNonNull(table, "table is null"))) {
            throw new PocketSyncException(ErrorCode.SCHEMA_INVALID, "table " + table + " is not tracked");
        }
        refreshSchema(false);
        Connection c = connection();
        Sql.inTransaction(c, () -> {
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

    @Override
    public synchronized long changeCounter() {
        try {
            return Sql.queryLong(connection(), "PRAGMA data_version");
        }
        catch (SQLException e) {
            throw Sql.failure("data_version failed", e);
        }
    }

    @Override
    public synchronized Map<String, Long> tableVersions() {
        refreshSchema(false);
        Map<String, Long> versions = new LinkedHashMap<>();
        // A write counts once it is journaled: sealing moves it from the journal count to the version in one
        // transaction, so the sum does not move and nothing needs sealing here.
        try (PreparedStatement statement = connection().prepareStatement("SELECT v.tbl, v.version + coalesce(j.writes, 0) FROM "
                + SystemTables.VERSION + " v LEFT JOIN (SELECT tbl, count(*) AS writes FROM " + SystemTables.JOURNAL
                + " GROUP BY tbl) j ON j.tbl = v.tbl");
                ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
                versions.put(rs.getString(1), rs.getLong(2));
            }
            return versions;
        }
        catch (SQLException e) {
            throw Sql.failure("reading table versions failed", e);
        }
    }

    @Override
    public synchronized void bindScope(String scope) {
        requireNonNull(scope, "scope is null");
        Connection c = connection();
        Sql.inTransaction(c, () -> {
            if (!scope.equals(stateString(c, "scope"))) {
                // a cursor and row sequences belong to one scope's history
                Sql.update(c, "UPDATE " + STATE + " SET cursor = 0, scope = ? WHERE id = 1", scope);
                applier().forgetSequences();
            }
            return null;
        });
    }

    @Override
    public synchronized List<LocalChange> pending(long afterLocalSequence, int limit) {
        sealFor(afterLocalSequence, limit);
        try {
            return ChangeLogReader.pending(statements(), afterLocalSequence, limit, deviceId(), schemas);
        }
        catch (SQLException e) {
            throw Sql.failure("reading pending changes failed", e);
        }
    }

    @Override
    public synchronized long pendingCount() {
        seal();
        try {
            return Sql.queryLong(connection(), "SELECT count(*) FROM " + SystemTables.CHANGES + " WHERE state = 'pending'");
        }
        catch (SQLException e) {
            throw Sql.failure("counting pending changes failed", e);
        }
    }

    @Override
    public synchronized long parkedCount() {
        try {
            return Sql.queryLong(connection(), "SELECT count(*) FROM " + SystemTables.DEAD_LETTER);
        }
        catch (SQLException e) {
            throw Sql.failure("counting parked changes failed", e);
        }
    }

    @Override
    public synchronized long ownChangesFrom(long cursor) {
        // nothing journaled was sent yet, so no server state can be the device's own unsealed write
        try {
            return applier().ownChangesFrom(cursor);
        }
        catch (SQLException e) {
            throw Sql.failure("reading acknowledged changes failed", e);
        }
    }

    @Override
    public synchronized boolean repairIfBehind(long deviceMark) {
        Connection c = connection();
        return Sql.inTransaction(c, () -> OwnRowsRepair.check(c, deviceMark));
    }

    @Override
    public synchronized boolean repairing() {
        try {
            return OwnRowsRepair.repairing(connection());
        }
        catch (SQLException e) {
            throw Sql.failure("reading the device state failed", e);
        }
    }

    @Override
    public synchronized void resync() {
        Connection c = connection();
        Sql.inTransaction(c, () -> {
            OwnRowsRepair.resync(c);
            return null;
        });
    }

    @Override
    public synchronized ApplyReport acknowledge(List<ChangeResult> results) {
        requireNonNull(results, "results is null");
        refreshSchema(false);
        Connection c = connection();
        return Sql.inTransaction(c, () -> {
            // Only a winner or a deferred change writes an app row here: then what is journaled is sealed first, as
            // before any remote write. Marking changes acknowledged leaves the journal for the next PUSH's rounds.
            // a refused row (UNIQUE_CONFLICT) leaves its table: its unsealed writes are sealed first, so none is lost
            if (results.stream().anyMatch(result -> result.winner() != null || result.errorCode() == ErrorCode.UNIQUE_CONFLICT)
                    || applier().hasDeferred()) {
                sealJournal();
            }
            ApplyReport report = applier().applyResults(schemas, deviceId(), results);
            // causality, as for pages: an edit made after the device saw a winner orders after it (the ACK's server
            // clock covers it only when the winner was stored through this server node)
            long newest = 0;
            for (ChangeResult result : results) {
                newest = result.winner() == null ? newest : Math.max(newest, result.winner().hlc().value());
            }
            if (newest > 0) {
                sealer().mergeClock(newest);
            }
            return report;
        });
    }

    @Override
    public synchronized ApplyReport apply(List<Change> changes, List<Long> sequences, long fromCursor, long toCursor,
            ChangesMode mode, boolean lastPage) {
        requireNonNull(changes, "changes is null");
        requireNonNull(sequences, "sequences is null");
        requireNonNull(mode, "mode is null");
        if (sequences.size() != changes.size()) {
            throw new PocketSyncException(ErrorCode.INVALID_FIELD, sequences.size() + " sequences for " + changes.size()
                    + " changes: every remote change needs the server sequence of its row state");
        }
        refreshSchema(false);
        Connection c = connection();
        return Sql.inTransaction(c, () -> {
            if (!changes.isEmpty() || mode == ChangesMode.SNAPSHOT) {
                // local writes committed before this transaction are pending changes before anything applies; an
                // empty LIVE or catch-up page only moves the cursor and writes no row
                sealJournal();
            }
            ApplyReport report = applier().applyPage(schemas, deviceId(), changes, sequences, fromCursor, toCursor, mode, lastPage);
            if (report.accepted()) {
                // causality: a local write made after this page was applied orders after every change it held, whatever
                // this device's wall clock says (the journal was sealed above, so the merge moves the stored clock)
                long newest = 0;
                for (Change change : changes) {
                    newest = Math.max(newest, change.hlc().value());
                }
                if (newest > 0) {
                    sealer().mergeClock(newest);
                }
            }
            return report;
        });
    }

    @Override
    public synchronized ScopeChecksums checksums() {
        refreshSchema(false);
        Connection c = connection();
        return Sql.inTransaction(c, () -> {
            sealJournal();
            long cursor = statements().queryLong("SELECT cursor FROM " + SystemTables.DEVICE_STATE + " WHERE id = 1");
            RowChecksums rows = new RowChecksums(statements(), schemas);
            List<TableChecksum> tables = new ArrayList<>();
            for (String table : schemas.keySet()) {
                tables.add(rows.table(table));
            }
            return new ScopeChecksums(cursor, tables);
        });
    }

    @Override
    public synchronized Map<String, Long> rowHashes(String table, Set<Integer> buckets) {
        return Sql.inTransaction(connection(), () -> new RowChecksums(statements(), schemas).hashes(table, buckets));
    }

    @Override
    public synchronized Set<String> unsettledRows(String table) {
        return Sql.inTransaction(connection(), () -> {
            sealJournal();
            return new RowChecksums(statements(), schemas).unsettled(table);
        });
    }

    @Override
    public synchronized int repair(String table, List<Change> rows, List<Long> sequences, Collection<String> unknownToServer,
            long atSequence, boolean write) {
        refreshSchema(false);
        return Sql.inTransaction(connection(), () -> {
            sealJournal();
            Set<String> unsettled = new RowChecksums(statements(), schemas).unsettled(table);
            return new ChecksumRepair(statements(), schemas).repair(table, rows, sequences, unknownToServer, unsettled,
                    atSequence, write);
        });
    }

    @Override
    public synchronized DeviceState state() {
        try {
            return ChangeLogReader.state(connection());
        }
        catch (SQLException e) {
            throw Sql.failure("reading device state failed", e);
        }
    }

    @Override
    public synchronized void clockOffset(long offsetMillis) {
        refreshSchema(false);
        Sql.inTransaction(connection(), () -> ClockCorrection.apply(statements(), offsetMillis, () -> {
            sealJournal();
            return null;
        }));
    }

    @Override
    public synchronized int restampAhead(long serverTimeMillis) {
        return Sql.inTransaction(connection(), () -> ClockCorrection.restampAhead(statements(), serverTimeMillis));
    }

    @Override
    public synchronized void mergeClock(Hlc remote) {
        requireNonNull(remote, "remote is null");
        // What is journaled was written before this merge and must be stamped without it, or the merged clock
        // would stamp an earlier write after a remote change it never saw: the merge is journaled after it.
        refreshSchema(false);
        Sql.inTransaction(connection(), () -> {
            sealer().mergeClock(remote.value());
            return null;
        });
    }

    /**
     * Seals the journal into pending changes (see {@link JournalSealer}); starts a write transaction only
     * when the journal holds something.
     */
    private void seal() {
        refreshSchema(false);
        try {
            if (!sealer().hasWork()) {
                return;
            }
        }
        catch (SQLException e) {
            throw Sql.failure("reading the capture journal failed", e);
        }
        Sql.inTransaction(connection(), () -> {
            sealJournal();
            return null;
        });
    }

    /**
     * Seals journal rows in rounds, each its own transaction, until {@code limit} changes after
     * {@code afterLocalSequence} are pending or the journal is empty: a bulk write starts pushing after its first
     * round instead of after the whole journal is sealed.
     */
    private void sealFor(long afterLocalSequence, int limit) {
        refreshSchema(false);
        try {
            while (sealer().hasWork() && statements().queryLong("SELECT count(*) FROM (SELECT 1 FROM " + SystemTables.CHANGES
                    + " WHERE state = 'pending' AND seq > ? LIMIT ?)", afterLocalSequence, (long) limit) < limit) {
                Sql.inTransaction(connection(), () -> sealer().sealRound(schemas, layouts(), Math.max(limit, SEAL_ROUND)));
            }
        }
        catch (SQLException e) {
            throw Sql.failure("reading the capture journal failed", e);
        }
    }

    /** Seals inside the caller's write transaction (an empty journal costs one read). */
    private void sealJournal() throws SQLException {
        sealer().seal(schemas, layouts());
    }

    private JournalSealer sealer() {
        if (sealer == null) {
            sealer = new JournalSealer(statements(), clock, deviceId());
        }
        return sealer;
    }

    /** The prepared statements of the engine's connection (shared with the sealer). */
    private StatementCache statements() {
        if (statements == null) {
            statements = new StatementCache(connection());
        }
        return statements;
    }

    /** The column layouts of the installed triggers, as stored with them. */
    private Map<String, List<String>> layouts() throws SQLException {
        if (layouts == null) {
            Map<String, List<String>> read = new LinkedHashMap<>();
            try (PreparedStatement statement = connection().prepareStatement("SELECT tbl, columns FROM " + SystemTables.VERSION
                    + " WHERE columns IS NOT NULL");
                    ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    read.put(rs.getString(1), RowImages.parseColumns(rs.getString(2)));
                }
            }
            layouts = read;
        }
        return layouts;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (applier != null) {
            applier.close();
            applier = null;
        }
        if (statements != null) {
            statements.close();
            statements = null;
            sealer = null;
        }
        if (connection != null) {
            try {
                connection.close();
            }
            catch (SQLException e) {
                LOG.debug("closing the capture connection failed", e);
            }
            connection = null;
        }
    }

    private String deviceId() {
        if (deviceId == null) {
            throw new PocketSyncException(ErrorCode.SCHEMA_INVALID, "capture is not installed");
        }
        return deviceId;
    }

    private RemoteApplier applier() {
        if (applier == null) {
            applier = new RemoteApplier(connection(), clock, options);
        }
        return applier;
    }

    private Connection connection() {
        if (closed) {
            throw new PocketSyncException(ErrorCode.INTERNAL, "capture is closed");
        }
        if (connection == null) {
            try {
                connection = dataSource.getConnection();
                Sql.configure(connection, options.busyTimeout());
            }
            catch (SQLException e) {
                throw new PocketSyncException(ErrorCode.SCHEMA_INVALID, "cannot open the device database: " + e.getMessage(), e);
            }
        }
        return connection;
    }

    private static @Nullable String stateString(Connection c, String column) throws SQLException {
        try (PreparedStatement statement = c.prepareStatement("SELECT " + column + " FROM " + STATE + " WHERE id = 1");
                ResultSet rs = statement.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
