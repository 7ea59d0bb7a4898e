package io.pocketsync.device.capture;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the server's state of rows a checksum comparison found different (docs/protocol.md 4.3), inside the caller's
 * transaction with capture suppressed, like any remote change: a row the server has is written with the server's
 * whole image (columns it does not name become NULL, which is what the row hash says they are, or their declared
 * DEFAULT when they have one, below), a row it never had is deleted. Rows with a pending local change, a parked remote one, or a bulk page not acknowledged yet are left alone:
 * the pending change is pushed and wins or loses at the server as usual.
 */
final class ChecksumRepair {
    private static final Logger LOG = LoggerFactory.getLogger(ChecksumRepair.class);

    /** Differing rows named in the log per table and comparison, at most. */
    private static final int LOGGED_ROWS = 10;

    private final StatementCache statements;
    private final Map<String, TableSchema> schemas;

    ChecksumRepair(StatementCache statements, Map<String, TableSchema> schemas) {
        this.statements = requireNonNull(statements, "statements is null");
        this.schemas = requireNonNull(schemas, "schemas is null");
    }

    /**
     * Confirms, and with {@code write} repairs, rows of {@code table}; returns how many rows were confirmed as drifted
     * (see {@code ChangeCapture#repair}): neither side moved them after {@code atSequence}, and they are not unsettled.
     */
    int repair(String table, List<Change> rows, List<Long> sequences, Collection<String> unknownToServer, Set<String> unsettled,
            long atSequence, boolean write) throws SQLException {
        TableSchema schema = schemas.get(table);
        if (schema == null) {
            return 0;
        }
        RowSequences recorded = new RowSequences(statements);
        // a row of a bulk page not acknowledged yet is pending like a local change: the server lacks it until the ACK
        List<RowKey> named = new ArrayList<>();
        rows.forEach(row -> named.add(new RowKey(table, row.globalId())));
        unknownToServer.forEach(gid -> named.add(new RowKey(table, gid)));
        Set<String> unsettledHere = new HashSet<>(unsettled);
        new BulkRecords(statements).unacknowledged(named).keySet().forEach(row -> unsettledHere.add(row.globalId()));
        unsettled = unsettledHere;
        List<Change> confirmed = new ArrayList<>();
        List<Long> confirmedSequences = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Change row = rows.get(i);
            if (row.table().equals(table) && sequences.get(i) <= atSequence && settled(recorded, table, row.globalId(), unsettled, atSequence)) {
                confirmed.add(row.isDelete() ? row : withEveryColumn(schema, row));
                confirmedSequences.add(sequences.get(i));
            }
        }
        for (String gid : unknownToServer) {
            if (settled(recorded, table, gid, unsettled, atSequence)) {
                confirmed.add(new Change("repair-" + Integer.toHexString(gid.hashCode()) + "-" + confirmed.size(), table, gid, Op.DELETE,
                        Map.of(), List.of(), new Hlc(1), "server"));
                confirmedSequences.add(0L);
            }
        }
        for (int i = 0; i < Math.min(confirmed.size(), LOGGED_ROWS); i++) {
            // which rows: what an operator (or a test) needs to trace how they drifted
            Change row = confirmed.get(i);
            LOG.warn("table {}: row {} differs from the server at sequence {} (server: {} at sequence {})", table, row.globalId(),
                    atSequence, row.isDelete() ? "deleted or unknown" : "live", confirmedSequences.get(i));
        }
        return write ? write(schema, recorded, confirmed, confirmedSequences) : confirmed.size();
    }

    /** Whether nothing local is unsettled about the row and this device holds no state of it newer than {@code atSequence}. */
    private static boolean settled(RowSequences recorded, String table, String gid, Set<String> unsettled, long atSequence)
            throws SQLException {
        return !unsettled.contains(gid) && recorded.of(new RowKey(table, gid)) <= atSequence;
    }

    private int write(TableSchema schema, RowSequences recorded, List<Change> rows, List<Long> sequences) throws SQLException {
        String table = schema.name();
        AppTriggers appTriggers = new AppTriggers(statements);
        statements.update("INSERT OR IGNORE INTO " + SystemTables.APPLYING + " (id) VALUES (1)");
        appTriggers.suspend();
        int repaired = 0;
        try {
            RowWriter writer = new RowWriter(statements, schemas);
            List<Change> written = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                Change row = rows.get(i);
                try {
                    writer.write(row.isDelete() ? schema : writer.validate(row), row);
                    written.add(row);
                    if (sequences.get(i) > 0) {
                        recorded.record(new RowKey(table, row.globalId()), sequences.get(i));
                    }
                }
                catch (RowWriter.Refused refused) {
                    LOG.warn("table {}: row {} could not be repaired: {}", table, row.globalId(), refused.getMessage());
                }
            }
            Map<Change, RowWriter.Refused> refused = writer.flush();
            for (Change change : written) {
                if (refused.containsKey(change)) {
                    LOG.warn("table {}: row {} could not be repaired: {}", table, change.globalId(), refused.get(change).getMessage());
                }
                else {
                    repaired++;
                }
            }
        }
        finally {
            statements.update("DELETE FROM " + SystemTables.APPLYING);
            appTriggers.restore();
        }
        return repaired;
    }

    /**
     * The server's image with every other column of the local table (but the rowid key) as NULL, or as its declared
     * DEFAULT when it has one (the row writer fills it): an app upgrade's {@code ADD COLUMN ... DEFAULT} gives every old
     * row the default on every device, while the server's images of rows nobody wrote since lack the column. Writing
     * NULL there changed the app's data on every device at its next check, and a {@code NOT NULL DEFAULT} column (Room's
     * migrations) refused the repair of every such row at every check.
     */
    private static Change withEveryColumn(TableSchema schema, Change row) {
        Map<String, Object> image = new HashMap<>(row.row());
        for (TableSchema.Column column : schema.columns()) {
            if (!column.name().equals(schema.rowidKey()) && !column.name().equals(SystemTables.GLOBAL_ID)
                    && column.defaultValue() == null) {
                image.putIfAbsent(column.name(), null);
            }
        }
        return new Change(row.changeId(), row.table(), row.globalId(), Op.UPDATE, image, List.of(), row.hlc(), row.deviceId());
    }
}
