package io.pocketsync.device.capture;

import static io.pocketsync.api.Identifiers.quoteSql;
import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.protocol.ChangeResult;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The origin's side of a {@code UNIQUE_CONFLICT}: the server refused this device's row because another row already
 * holds one of its UNIQUE values, so every other device has that row and will never have this one. The local row
 * moves out of its table into the dead letters (code {@code UNIQUE_CONFLICT}, the row's latest image in wire form),
 * where {@link DeadLetters} lists it and can re-insert it, with a changed value, as a new local write, or drop it.
 * A rejected INSERT removes the row; a rejected UPDATE keeps the row and the caller writes the server's state of it
 * (the result's {@code winner}) over the refused edit. Runs inside the applying transaction (capture off).
 *
 * <p>A remote row that met the refused row here was parked as {@code KEY_COLLISION}; once the refused row is out of
 * the way, {@link #retryParked} applies it, so this device ends with the same rows as the others. Not thread-safe.
 */
final class RejectedRows {
    private static final Logger LOG = LoggerFactory.getLogger(RejectedRows.class);

    private final StatementCache statements;
    private final Clock clock;

    RejectedRows(StatementCache statements, Clock clock) {
        this.statements = requireNonNull(statements, "statements is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * Moves the row a {@code UNIQUE_CONFLICT} names into the dead letters.
     *
     * @param seq the refused change's local sequence
     * @param remove true to delete the row (its INSERT was refused: the server has no such row)
     * @return whether the row was here (and is now parked)
     */
    boolean moveOut(Map<String, TableSchema> schemas, RowKey row, long seq, ChangeResult result, boolean remove)
            throws SQLException {
        TableSchema schema = schemas.get(row.table());
        if (schema == null) {
            return false;
        }
        String table = quoteSql(schema.name());
        String image = KeyTranslation.of(schemas).wireImageSql(schema.name(), TriggerGenerator.image(schema, table + "."));
        String json = statements.queryString("SELECT " + image + " FROM " + table + " WHERE " + SystemTables.GLOBAL_ID + " = ?",
                row.globalId());
        if (json == null) {
            return false; // deleted here since, or moved out by an earlier refusal of the same row
        }
        if (remove) {
            try {
                statements.update("DELETE FROM " + table + " WHERE " + SystemTables.GLOBAL_ID + " = ?", row.globalId());
            }
            catch (SQLException e) {
                // e.g. a foreign key of a local row that references it: the row stays, the refusal is only marked
                LOG.warn("row {} of {} was refused by the server ({}) but cannot leave its table: {}", row.globalId(),
                        schema.name(), result.errorCode(), e.getMessage());
                return false;
            }
            // later edits of a row the server never had would recreate it there alone
            statements.update("UPDATE " + SystemTables.CHANGES + " SET state = 'rejected', reason = ? WHERE state = 'pending'"
                    + " AND tbl = ? AND gid = ? AND seq > ?", "UNIQUE_CONFLICT: the row is in the dead letters", row.table(),
                    row.globalId(), seq);
        }
        String message = result.message() == null ? "a UNIQUE value of this row is held by another row" : result.message();
        LOG.warn("row {} of {} refused by the server: {} {}; moved to the dead letters", row.globalId(), schema.name(),
                result.errorCode(), message);
        statements.update("INSERT INTO " + SystemTables.DEAD_LETTER
                + " (change_id, tbl, gid, op, row_json, code, message, received_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                result.changeId(), row.table(), row.globalId(), Op.INSERT.name(), json, ErrorCode.UNIQUE_CONFLICT.name(), message,
                clock.millis());
        return true;
    }

    /**
     * Applies the remote changes of {@code tables} parked as {@code KEY_COLLISION} again; those that apply leave the
     * dead letters, the others stay as they were.
     *
     * @return the tables written to
     */
    List<String> retryParked(RowWriter writer, Set<String> tables) throws SQLException {
        List<String> written = new ArrayList<>();
        for (String table : tables) {
            List<DeadLetters.Entry> entries = new ArrayList<>();
            PreparedStatement read = statements.get("SELECT id, change_id, tbl, gid, op, row_json, code, message, received_ms FROM "
                    + SystemTables.DEAD_LETTER + " WHERE tbl = ? AND code = ? ORDER BY id");
            read.setString(1, table);
            read.setString(2, ErrorCode.KEY_COLLISION.name());
            try (ResultSet rs = read.executeQuery()) {
                while (rs.next()) {
                    entries.add(DeadLetters.entry(rs));
                }
            }
            for (DeadLetters.Entry entry : entries) {
                Change change = new Change(entry.changeId() == null ? "retry-" + entry.id() : entry.changeId(), entry.table(),
                        entry.globalId(), entry.op(), entry.row(), List.of(), Hlc.ZERO, "");
                try {
                    writer.write(writer.validate(change), change);
                    RowWriter.Refused refused = writer.flush().get(change);
                    if (refused != null) {
                        continue;
                    }
                }
                catch (RowWriter.Refused refused) {
                    continue;
                }
                statements.update("DELETE FROM " + SystemTables.DEAD_LETTER + " WHERE id = ?", entry.id());
                LOG.info("parked remote change {} of {} applied after this device's conflicting row left", entry.changeId(), table);
                written.add(table);
            }
        }
        return written;
    }
}
