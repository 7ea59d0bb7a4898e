package io.pocketsync.device.capture;

import static io.pocketsync.api.Identifiers.quoteSql;
import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.protocol.ChangeResult;
import java.sql.SQLException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The origin's side of a {@code SCOPE_READ_ONLY}: the device may only read its scope, so the server stored none of its
 * edit and nobody else will see it. The row goes back to the server's state, so that the file does not keep a value
 * only this device has: the caller writes the result's {@code winner} over the edit; without a winner the server has
 * no such row and this deletes it. Later local changes of the row still pending would be refused the same way: they
 * are marked rejected here, so that the winner is written now rather than kept aside for them. Runs inside the
 * applying transaction, with capture off, so the revert is not itself captured as a local write. Not thread-safe.
 */
final class ReadOnlyRevert {
    private static final Logger LOG = LoggerFactory.getLogger(ReadOnlyRevert.class);

    private final StatementCache statements;

    ReadOnlyRevert(StatementCache statements) {
        this.statements = requireNonNull(statements, "statements is null");
    }

    /**
     * Undoes a refused local change as far as this class does: later pending changes of the row are rejected too, and
     * a row the server does not have is deleted. The caller writes a winner.
     *
     * @param seq the refused change's local sequence
     * @return whether the row was deleted here
     */
    boolean revert(Map<String, TableSchema> schemas, RowKey row, long seq, ChangeResult result) throws SQLException {
        statements.update("UPDATE " + SystemTables.CHANGES + " SET state = 'rejected', reason = ? WHERE state = 'pending'"
                + " AND tbl = ? AND gid = ? AND seq > ?", ErrorCode.SCOPE_READ_ONLY.name()
                + ": this device may only read the scope; the row was put back to the server's state", row.table(),
                row.globalId(), seq);
        TableSchema schema = schemas.get(row.table());
        if (result.winner() != null) {
            LOG.warn("change {} of row {} of {} refused by the server: {} (this device may only read its scope); the row is"
                    + " put back to the server's state", result.changeId(), row.globalId(), row.table(), ErrorCode.SCOPE_READ_ONLY);
            return false;
        }
        if (schema == null) {
            return false;
        }
        LOG.warn("change {} of row {} of {} refused by the server: {} (this device may only read its scope); the server has"
                + " no such row, so it is removed here", result.changeId(), row.globalId(), row.table(), ErrorCode.SCOPE_READ_ONLY);
        try {
            return statements.update("DELETE FROM " + quoteSql(schema.name()) + " WHERE " + SystemTables.GLOBAL_ID + " = ?",
                    row.globalId()) > 0;
        }
        catch (SQLException e) {
            // e.g. a foreign key of a local row that references it: the row stays, only this device has it
            LOG.warn("row {} of {} was refused by the server ({}) but cannot leave its table: {}", row.globalId(), schema.name(),
                    ErrorCode.SCOPE_READ_ONLY, e.getMessage());
            return false;
        }
    }
}
