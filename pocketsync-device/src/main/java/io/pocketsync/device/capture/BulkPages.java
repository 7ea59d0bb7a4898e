package io.pocketsync.device.capture;

import static io.pocketsync.api.Identifiers.quoteSql;

import io.pocketsync.api.capture.BulkPage;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads the pages of the bulk path straight from the tables, in rowid order: each row of a bulk push
 * ({@link BulkRecords}) not acknowledged yet, as an INSERT of its current image in wire form, with the bulk's HLC and a
 * change id made of the bulk's prefix and the rowid, so a page read again after a restart is the same page. A row the
 * app changed meanwhile is read as it is now, and its own pending change (later by HLC) follows through the journal;
 * a row the app deleted is not read. Stateless.
 */
final class BulkPages {
    /** Estimated bytes of a change beyond its row image (ids, table, HLC, framing), as the push counts them. */
    private static final long CHANGE_OVERHEAD_BYTES = 256;

    private BulkPages() {}

    /** See {@code ChangeCapture#bulkPage}; call in a transaction (a bulk whose rows the app deleted is ended). */
    static @Nullable BulkPage next(StatementCache statements, BulkRecords records, Map<String, TableSchema> schemas,
            String deviceId, @Nullable BulkPage after, int rows, long maxBytes) throws SQLException {
        List<BulkRecords.Bulk> active = records.active();
        boolean reached = after == null || active.stream().noneMatch(bulk -> bulk.table().equals(after.table()));
        for (BulkRecords.Bulk bulk : active) {
            if (!reached && !bulk.table().equals(after.table())) {
                continue; // sent in full before the table of the last page; waiting for its ACKs
            }
            long from = reached ? bulk.acked() : Math.max(after.throughRowid(), bulk.acked());
            reached = true;
            TableSchema schema = schemas.get(bulk.table());
            if (schema == null) {
                records.forget(bulk.table()); // no longer tracked: nothing of it is sent any more
                continue;
            }
            if (from >= bulk.upper()) {
                continue;
            }
            BulkPage page = read(statements, schema, schemas, bulk, deviceId, from, rows, maxBytes);
            if (page != null) {
                return page;
            }
            if (from == bulk.acked()) {
                records.acknowledged(bulk.table(), bulk.upper()); // the app deleted the rest: nothing left to send
            }
        }
        return null;
    }

    private static @Nullable BulkPage read(StatementCache statements, TableSchema schema, Map<String, TableSchema> schemas,
            BulkRecords.Bulk bulk, String deviceId, long from, int rows, long maxBytes) throws SQLException {
        String table = quoteSql(schema.name());
        String image = KeyTranslation.of(schemas).wireImageSql(schema.name(), TriggerGenerator.image(schema, table + "."));
        PreparedStatement read = statements.get("SELECT rowid, " + SystemTables.GLOBAL_ID + ", " + image + " FROM " + table
                + " WHERE rowid > ? AND rowid <= ? AND " + SystemTables.GLOBAL_ID + " IS NOT NULL ORDER BY rowid LIMIT ?");
        Sql.bind(read, from, bulk.upper(), (long) rows);
        List<Change> changes = new ArrayList<>(rows);
        List<Long> rowids = new ArrayList<>(rows);
        List<List<String>> unique = schema.uniqueKeys();
        Hlc hlc = new Hlc(bulk.baseHlc());
        long bytes = 0;
        try (ResultSet rs = read.executeQuery()) {
            while (rs.next()) {
                long rowid = rs.getLong(1);
                String json = rs.getString(3);
                // the image's JSON length: close to what the row takes on the wire, and known without a pass over it
                bytes += json.length() + CHANGE_OVERHEAD_BYTES;
                Map<String, Object> row = RowImages.parse(json);
                if (!changes.isEmpty() && bytes > maxBytes) {
                    break;
                }
                changes.add(new Change(bulk.changeId(rowid), schema.name(), rs.getString(2), Op.INSERT, row, List.of(), hlc,
                        deviceId, unique));
                rowids.add(rowid);
            }
        }
        if (changes.isEmpty()) {
            return null;
        }
        // a page that ends short of its row limit covers the rest of the bulk (rows deleted meanwhile included)
        long through = changes.size() < rows && bytes <= maxBytes ? bulk.upper() : rowids.get(rowids.size() - 1);
        return new BulkPage(schema.name(), from, through, changes, rowids);
    }
}
