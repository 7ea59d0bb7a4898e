package io.pocketsync.device.capture;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The device's system tables. Their names are part of the contract (apps and tools may read them; listed in
 * docs/architecture.md 3), so a name never changes.
 *
 * <ul>
 *   <li>{@code __pocketsync_journal}: what the triggers write, one narrow row per captured row write (table,
 *       operation, rowid, the {@code ps_global_id} the row had, changed-column mask, wall clock as a julian
 *       day). Emptied by {@link JournalSealer}, which turns it into changes; see {@link TriggerGenerator}.</li>
 *   <li>{@code __pocketsync_changes}: captured local mutations, {@code state} is pending, acked,
 *       superseded or rejected ({@code reason} holds the code and message); {@code server_seq} is the sequence
 *       the ACK reported (of the change's own state, or of the winner over it), which PULL's {@code own} reads.</li>
 *   <li>{@code __pocketsync_version}: per tracked table, bumped by every captured write when it is sealed,
 *       and the column layout the installed triggers' changed-column masks refer to.</li>
 *   <li>{@code __pocketsync_device_state}: one row: device id, scope, cursor, clock, schema fingerprint,
 *       the resync flag, the counter that makes the ids the sealer gives new rows unique, and the own mark and repair
 *       flag of {@link OwnRowsRepair}. (Its
 *       {@code applying} column held the echo-suppression flag before {@code __pocketsync_applying}; it stays 0.)</li>
 *   <li>{@code __pocketsync_applying}: the echo-suppression flag: one row only inside the engine's applying
 *       transaction (so no other connection ever sees it), none otherwise. The triggers test it with
 *       {@code NOT EXISTS}, which costs them less than reading a column of the state row (measured with
 *       callgrind: about 740 instructions per row against 1,280).</li>
 *   <li>{@code __pocketsync_scope_state} and {@code __pocketsync_table_scope}: on a device of several scopes, the
 *       state row's per-scope part (cursor, last sync, resync flag, own mark, repair, subscribed flag) of each scope
 *       that is not the active one, and the scope each table is bound to; see {@link ScopeStates}.</li>
 *   <li>{@code __pocketsync_dead_letter}: remote changes that could not be applied, with their code.</li>
 *   <li>{@code __pocketsync_resync_rows}: row ids seen during a full resync (empty otherwise).</li>
 *   <li>{@code __pocketsync_joining}: the tables a table catch-up is bringing in (tracked since the last HELLO of a
 *       device that had synced), with {@code join_cursor} and {@code join_mark} in the state row; see
 *       {@link TableJoin}.</li>
 *   <li>{@code __pocketsync_row_seq}: per synced row (table, {@code ps_global_id}), the server sequence of the
 *       server state the local row holds (from applied remote changes and from ACKs of its own changes;
 *       deleted rows keep theirs). A remote change is applied only when its sequence is after it, so changes
 *       that arrive out of server order cannot overwrite a later state, and a redelivered change is skipped:
 *       this is how the device dedupes remote changes (there is no table of applied change ids). Cleared when a full resync starts or
 *       the scope changes (sequences belong to one scope's history).</li>
 *   <li>{@code __pocketsync_deferred}: per row, the latest remote change skipped because a pending local
 *       change of the row won by version, or the winner of an ACK result skipped because a later local change
 *       of the row was pending. When the ACKs leave the row with nothing pending, it is applied if
 *       the server sequenced it after the state the ACKs reported (e.g. {@code client-wins} let it overwrite
 *       the local change on the server), otherwise dropped.</li>
 *   <li>{@code __pocketsync_overwritten}: per row, the newest pending local change a remote state was written over
 *       (it was after that change by version). When the server nevertheless stores that change as the row's newest
 *       state (its stamp moved meanwhile, see {@link OverwrittenChanges}), its ACK writes it back to the row. Emptied
 *       as the row's changes are decided.</li>
 *   <li>{@code __pocketsync_bulk}: per table that held rows when it was first tracked, the bulk push of those rows
 *       (docs/architecture.md 4.3a): the highest rowid at install ({@code upper}), the rowid through which the server
 *       acknowledged them ({@code acked}), the HLC they are all sent with, their count and the change-id prefix. Such
 *       rows have no journal row and no change-log row. Deleted when the last page is acknowledged.</li>
 *   <li>{@code __pocketsync_bulk_seq}: per acknowledged bulk page, its rowid range and the server sequences its rows
 *       were stored at; {@link RowSequences} takes the range's last sequence for a row of the range (a bulk page's
 *       sequences are consecutive, so no other state of such a row lies within them). Forgotten with row
 *       sequences.</li>
 * </ul>
 *
 * <p>The change log has no index on (table, row): it would cost every captured write an insert at a random
 * place, and the engine's per-row questions only concern pending changes, which it reads by state.
 */
final class SystemTables {
    static final String JOURNAL = "__pocketsync_journal";
    static final String CHANGES = "__pocketsync_changes";
    static final String VERSION = "__pocketsync_version";
    static final String DEVICE_STATE = "__pocketsync_device_state";
    static final String DEAD_LETTER = "__pocketsync_dead_letter";
    static final String RESYNC_ROWS = "__pocketsync_resync_rows";
    static final String ROW_SEQ = "__pocketsync_row_seq";
    static final String DEFERRED = "__pocketsync_deferred";
    static final String OVERWRITTEN = "__pocketsync_overwritten";
    static final String APPLYING = "__pocketsync_applying";
    static final String HELD = "__pocketsync_held_rows";
    static final String MISSING_COLUMNS = "__pocketsync_missing_columns";
    static final String DANGLING = "__pocketsync_dangling";
    /** The tables the device has received at its cursor (SubscribedTables). */
    static final String SUBSCRIBED = "__pocketsync_subscribed";
    /** The tables a table catch-up is bringing in, not subscribed at the cursor yet (TableJoin). */
    static final String JOINING = "__pocketsync_joining";
    /** The tables the device received once and no longer tracks: tracking one again is a full resync (SubscribedTables). */
    static final String UNTRACKED = "__pocketsync_untracked";
    /** The parked device state of each scope that is not the active one (ScopeStates). */
    static final String SCOPE_STATE = "__pocketsync_scope_state";
    /** The scope each table of a device of several scopes is bound to (ScopeStates). */
    static final String TABLE_SCOPE = "__pocketsync_table_scope";
    /** Per table tracked with rows already in it, the bulk push of those rows (BulkRecords). */
    static final String BULK = "__pocketsync_bulk";
    /** Per acknowledged bulk page, its rowid range and the server sequences its rows were stored at (BulkRanges). */
    static final String BULK_SEQ = "__pocketsync_bulk_seq";
    static final String PREFIX = "__pocketsync";
    static final String GLOBAL_ID = "ps_global_id";

    /**
     * The device clock, as an expression over the device state row: the stored clock (merged remote clocks)
     * or the newest change's HLC, whichever is later. The sealer moves HLCs past it; pruning, which may delete
     * the newest change, folds it into the stored clock first.
     */
    static final String DEVICE_CLOCK = "max(hlc, coalesce((SELECT hlc FROM " + CHANGES + " ORDER BY seq DESC LIMIT 1), 0))";

    private static final String[] DDL = {
        "CREATE TABLE IF NOT EXISTS " + JOURNAL + " (id INTEGER PRIMARY KEY, tbl TEXT NOT NULL, op INTEGER NOT NULL,"
                + " rid INTEGER NOT NULL, gid TEXT, mask INTEGER NOT NULL DEFAULT 0, wall REAL NOT NULL)",
        "CREATE TABLE IF NOT EXISTS " + CHANGES + " ("
                + "seq INTEGER PRIMARY KEY AUTOINCREMENT, change_id TEXT NOT NULL UNIQUE, tbl TEXT NOT NULL,"
                + " gid TEXT NOT NULL, op TEXT NOT NULL, row_json TEXT NOT NULL, cols_json TEXT NOT NULL DEFAULT '[]',"
                + " hlc INTEGER NOT NULL, version INTEGER NOT NULL, state TEXT NOT NULL DEFAULT 'pending',"
                + " reason TEXT, server_seq INTEGER NOT NULL DEFAULT 0)",
        "CREATE INDEX IF NOT EXISTS __pocketsync_changes_state ON " + CHANGES + " (state, seq)",
        "DROP INDEX IF EXISTS __pocketsync_changes_row",
        "CREATE TABLE IF NOT EXISTS " + VERSION + " (tbl TEXT PRIMARY KEY, version INTEGER NOT NULL DEFAULT 0, columns TEXT)",
        "CREATE TABLE IF NOT EXISTS " + DEVICE_STATE + " ("
                + "id INTEGER PRIMARY KEY CHECK (id = 1), device_id TEXT NOT NULL, scope TEXT,"
                + " cursor INTEGER NOT NULL DEFAULT 0, last_sync_ms INTEGER NOT NULL DEFAULT 0,"
                + " hlc INTEGER NOT NULL DEFAULT 0, schema_fingerprint TEXT, applying INTEGER NOT NULL DEFAULT 0,"
                + " resync INTEGER NOT NULL DEFAULT 0, gid_counter INTEGER NOT NULL DEFAULT 0)",
        "INSERT OR IGNORE INTO " + DEVICE_STATE + " (id, device_id) VALUES (1, lower(hex(randomblob(16))))",
        "CREATE TABLE IF NOT EXISTS " + DEAD_LETTER + " ("
                + "id INTEGER PRIMARY KEY AUTOINCREMENT, change_id TEXT, tbl TEXT, gid TEXT, op TEXT, row_json TEXT,"
                + " code TEXT NOT NULL, message TEXT NOT NULL, received_ms INTEGER NOT NULL)",
        "CREATE TABLE IF NOT EXISTS " + RESYNC_ROWS + " (tbl TEXT NOT NULL, gid TEXT NOT NULL, PRIMARY KEY (tbl, gid)) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS " + APPLYING + " (id INTEGER PRIMARY KEY CHECK (id = 1))",
        "CREATE TABLE IF NOT EXISTS " + ROW_SEQ + " (tbl TEXT NOT NULL, gid TEXT NOT NULL, seq INTEGER NOT NULL,"
                + " PRIMARY KEY (tbl, gid)) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS " + DEFERRED + " (tbl TEXT NOT NULL, gid TEXT NOT NULL, seq INTEGER NOT NULL,"
                + " change_id TEXT NOT NULL, op TEXT NOT NULL, row_json TEXT NOT NULL, hlc INTEGER NOT NULL, device TEXT NOT NULL,"
                + " PRIMARY KEY (tbl, gid)) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS " + OVERWRITTEN + " (tbl TEXT NOT NULL, gid TEXT NOT NULL, seq INTEGER NOT NULL,"
                + " PRIMARY KEY (tbl, gid)) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS " + HELD + " (tbl TEXT NOT NULL, gid TEXT NOT NULL, row_json TEXT NOT NULL,"
                + " PRIMARY KEY (tbl, gid)) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS " + DANGLING + " (tbl TEXT NOT NULL, gid TEXT NOT NULL, col TEXT NOT NULL,"
                + " parent_tbl TEXT NOT NULL, parent_gid TEXT NOT NULL, PRIMARY KEY (tbl, gid, col)) WITHOUT ROWID",
        // value has no declared type, so it keeps each value's own SQLite type (BLOBs included)
        "CREATE TABLE IF NOT EXISTS " + MISSING_COLUMNS + " (tbl TEXT NOT NULL, gid TEXT NOT NULL, col TEXT NOT NULL, value,"
                + " PRIMARY KEY (tbl, gid, col)) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS " + SUBSCRIBED + " (tbl TEXT PRIMARY KEY) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS " + SCOPE_STATE + " (scope TEXT PRIMARY KEY, cursor INTEGER NOT NULL, last_sync_ms INTEGER NOT NULL,"
                + " resync INTEGER NOT NULL, own_mark INTEGER NOT NULL, repair INTEGER NOT NULL, subscribed INTEGER NOT NULL) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS " + TABLE_SCOPE + " (tbl TEXT PRIMARY KEY, scope TEXT NOT NULL) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS " + JOINING + " (tbl TEXT PRIMARY KEY) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS " + UNTRACKED + " (tbl TEXT PRIMARY KEY) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS " + BULK + " (tbl TEXT PRIMARY KEY, ord INTEGER NOT NULL, upper INTEGER NOT NULL,"
                + " acked INTEGER NOT NULL, base_hlc INTEGER NOT NULL, total INTEGER NOT NULL, id_prefix TEXT NOT NULL) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS " + BULK_SEQ + " (tbl TEXT NOT NULL, to_rowid INTEGER NOT NULL, from_rowid INTEGER NOT NULL,"
                + " from_seq INTEGER NOT NULL, to_seq INTEGER NOT NULL, PRIMARY KEY (tbl, to_rowid)) WITHOUT ROWID",
    };

    private SystemTables() {}

    /** Columns added after the first release of a table, added to databases created before them. */
    private static final String[][] ADDED_COLUMNS = {
        {VERSION, "columns", "TEXT"},
        {DEVICE_STATE, "gid_counter", "INTEGER NOT NULL DEFAULT 0"},
        {DEVICE_STATE, "clock_offset_ms", "INTEGER NOT NULL DEFAULT 0"},
        {DEVICE_STATE, "file_identity", "TEXT"},
        // OwnRowsRepair: the highest server sequence an ACK reported for this device's changes, and the server's mark a
        // repair in progress is to reach (0: none)
        {DEVICE_STATE, "own_mark", "INTEGER NOT NULL DEFAULT 0"},
        {DEVICE_STATE, "repair", "INTEGER NOT NULL DEFAULT 0"},
        // SubscribedTables: whether __pocketsync_subscribed was ever filled (0: the next HELLO records what is tracked)
        {DEVICE_STATE, "subscribed", "INTEGER NOT NULL DEFAULT 0"},
        // TableJoin: the cursor of the table catch-up in progress, and the highest cursor a table catch-up page reached
        {DEVICE_STATE, "join_cursor", "INTEGER NOT NULL DEFAULT 0"},
        {DEVICE_STATE, "join_mark", "INTEGER NOT NULL DEFAULT 0"},
        {SCOPE_STATE, "join_cursor", "INTEGER NOT NULL DEFAULT 0"},
        {SCOPE_STATE, "join_mark", "INTEGER NOT NULL DEFAULT 0"},
    };

    /** Creates the system tables idempotently; call inside a transaction. */
    static void create(Connection connection) throws SQLException {
        for (String ddl : DDL) {
            Sql.execute(connection, ddl);
        }
        for (String[] added : ADDED_COLUMNS) {
            if (Sql.queryLong(connection, "SELECT count(*) FROM pragma_table_info(?) WHERE name = ?", added[0], added[1]) == 0) {
                Sql.execute(connection, "ALTER TABLE " + added[0] + " ADD COLUMN " + added[1] + " " + added[2]);
            }
        }
    }
}
