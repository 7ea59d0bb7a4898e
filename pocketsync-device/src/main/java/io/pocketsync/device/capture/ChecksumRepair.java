package io.pocketsync.device.capture;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the server's state of rows a checksum comparison found different (docs/protocol.md 4.3), inside the caller's
 * transaction with capture suppressed, like any remote change: a row the server has is written with the server's
 * whole image (columns it does not name become NULL, which is what the row hash says they are), a row it never had
 * is deleted. Rows with a pending local change or a parked remote one are left alone: the pending change is pushed
 * and wins or loses at the server as usual.
 */
final class ChecksumRepair {
    private static final Logger LOG = LoggerFactory.getLogger(ChecksumRepair.class);

    private final StatementCache statements;
    private final Map<String, TableSchema> schemas;

    ChecksumRepair(StatementCache statements, Map<String, TableSchema> schemas) {
        this.statements = requireNonNull(statements, "statements is null");
        this.schemas = requireNonNull(schemas, "schemas is null");
    }

    /** Repairs rows of {@code table}; returns how many rows were written or deleted. */
    int repair(String table, List<Change> rows, List<Long> sequences, Collection<String> unknownToServer, Set<String> unsettled)
            throws SQLException {
        TableSchema schema = schemas.get(table);
        if (schema == null) {
            return 0;
        }
        RowSequences recorded = new RowSequences(statements);
        AppTriggers appTriggers = new AppTriggers(statements);
        statements.update("INSERT OR IGNORE INTO " + SystemTables.APPLYING + " (id) VALUES (1)");
        appTriggers.suspend();
        int repaired = 0;
        try {
            RowWriter writer = new RowWriter(statements, schemas);
            List<Change> written = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                Change row = rows.get(i);
                if (!row.table().equals(table) || unsettled.contains(row.globalId())) {
                    continue;
                }
                Change full = row.isDelete() ? row : withEveryColumn(schema, row);
                try {
                    writer.write(writer.validate(full), full);
                    written.add(full);
                    recorded.record(new RowKey(table, row.globalId()), sequences.get(i));
                }
                catch (RowWriter.Refused refused) {
                    LOG.warn("table {}: row {} could not be repaired: {}", table, row.globalId(), refused.getMessage());
                }
            }
            for (String gid : unknownToServer) {
                if (unsettled.contains(gid)) {
                    continue;
                }
                Change delete = new Change("repair-" + gid.hashCode() + "-" + written.size(), table, gid, Op.DELETE, Map.of(),
                        List.of(), new Hlc(1), "server");
                try {
                    writer.write(schema, delete);
                    written.add(delete);
                }
                catch (RowWriter.Refused refused) {
                    LOG.warn("table {}: row {} the server does not know could not be deleted: {}", table, gid, refused.getMessage());
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

    /** The server's image with every other column of the local table (but the rowid key) as NULL. */
    private static Change withEveryColumn(TableSchema schema, Change row) {
        Map<String, Object> image = new HashMap<>(row.row());
        for (TableSchema.Column column : schema.columns()) {
            if (!column.name().equals(schema.rowidKey()) && !column.name().equals(SystemTables.GLOBAL_ID)) {
                image.putIfAbsent(column.name(), null);
            }
        }
        return new Change(row.changeId(), row.table(), row.globalId(), Op.UPDATE, image, List.of(), row.hlc(), row.deviceId());
    }
}
