package io.pocketsync.device.capture;

import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.ChangeStatus;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings back the rows a device wrote itself when it may lack them (protocol.md 3.5): catch-up leaves out rows whose
 * latest state the pulling device wrote, so a file restored from an older backup would never get back the writes it
 * made after the backup, and a lost file under the same device id would never get its own rows.
 *
 * <p>The device keeps its <em>own mark</em> ({@code own_mark} in the device state): the highest server sequence an ACK
 * reported for one of its changes (APPLIED or DUPLICATE), raised in the ACK's transaction. The server keeps its own
 * record of that device and sends it in WELCOME. A restored file holds the mark of its backup, lower than the
 * server's when the device wrote anything after the backup; so does a new file under the old id (mark 0). Then the
 * {@code repair} flag is set, and every PULL asks for the device's own rows ({@code self}) until a catch-up or snapshot
 * ends: from the stored cursor, which a restored file has from its backup, so every row written after it comes back;
 * from cursor 0 the server answers with a full resync. An explicit {@link #resync} sets the flag with the cursor at 0
 * and the resync flag on. Pending local changes are never overwritten by an older state (the usual rules) and are
 * pushed; those a restored file had already pushed before its backup are answered DUPLICATE with the row's current
 * state, which the device takes.
 *
 * <p>A mark above the truth costs one catch-up of own rows for nothing (an ACK lost before the device stored it);
 * nothing is ever missed for it. Not thread-safe (the capture is synchronized).
 */
final class OwnRowsRepair {
    private static final Logger LOG = LoggerFactory.getLogger(OwnRowsRepair.class);

    private OwnRowsRepair() {}

    /** Raises the own mark to the sequences an ACK reported for this device's stored changes; in the ACK's transaction. */
    static void raiseMark(StatementCache statements, List<ChangeResult> results) throws SQLException {
        long highest = 0;
        for (ChangeResult result : results) {
            if (result.status() == ChangeStatus.APPLIED || result.status() == ChangeStatus.DUPLICATE) {
                highest = Math.max(highest, result.sequence());
            }
        }
        raiseMark(statements, highest);
    }

    /** Raises the own mark to {@code highest}, a server sequence of this device's own change (a bulk page's last). */
    static void raiseMark(StatementCache statements, long highest) throws SQLException {
        if (highest > 0) {
            statements.update("UPDATE " + SystemTables.DEVICE_STATE + " SET own_mark = ? WHERE id = 1 AND own_mark < ?",
                    highest, highest);
        }
    }

    /**
     * Starts a repair when the server knows of later writes of this device than the device does; in a transaction. A
     * mark above the scope's head {@code head} is lowered to the server's first: no change has a sequence above the head,
     * and a repair towards such a mark would end below it every time and start again, a full resync every catch-up
     * interval for ever (seen once on a device of two scopes whose throttled logins were refused: one scope's
     * acknowledgements were recorded in the other's state).
     */
    static boolean check(Connection c, long serverMark, long head) throws SQLException {
        long ownMark = Sql.queryLong(c, "SELECT own_mark FROM " + SystemTables.DEVICE_STATE + " WHERE id = 1");
        if (ownMark > head && serverMark <= head) {
            LOG.warn("this device's mark of its own writes (sequence {}) is above the scope's head ({}): no change has that"
                    + " sequence; lowered to the server's mark ({}). A mark recorded in another scope's state, or a server"
                    + " store restored from an older backup, leaves this", ownMark, head, serverMark);
            Sql.update(c, "UPDATE " + SystemTables.DEVICE_STATE + " SET own_mark = ?, repair = CASE WHEN repair > ? THEN 0"
                    + " ELSE repair END WHERE id = 1", serverMark, head);
            ownMark = serverMark;
        }
        if (serverMark > ownMark && !repairing(c)) {
            long cursor = Sql.queryLong(c, "SELECT cursor FROM " + SystemTables.DEVICE_STATE + " WHERE id = 1");
            // the flag holds the server's mark: reached when the repair ends, so the next WELCOME does not start another
            Sql.update(c, "UPDATE " + SystemTables.DEVICE_STATE + " SET repair = ? WHERE id = 1", serverMark);
            String resync = cursor == 0 ? " (a full resync)" : "";
            if (awaitingAcks(c)) {
                // the usual cause: the server stored a push whose ACK never got here (the process was killed, the
                // connection dropped); a restored backup with writes pending looks the same, and the repair is the same
                LOG.info("the server holds writes of this device up to sequence {}, this file has acknowledgements up to {}:"
                        + " the acknowledgement of a push was lost (the process stopped or the connection dropped before it"
                        + " came), or the file was restored from a backup. Pulling this device's own rows back from cursor {}{}",
                        serverMark, ownMark, cursor, resync);
            }
            else {
                LOG.warn("the server holds writes of this device up to sequence {}, but this file knows of its writes only up"
                        + " to {}: it was restored from an older backup or lost its data. Pulling this device's own rows back"
                        + " from cursor {}{}", serverMark, ownMark, cursor, resync);
            }
        }
        return repairing(c);
    }

    /** Whether changes of this device wait for their ACK: pending ones, or rows of a bulk push under way. */
    private static boolean awaitingAcks(Connection c) throws SQLException {
        return Sql.queryLong(c, "SELECT EXISTS (SELECT 1 FROM " + SystemTables.CHANGES + " WHERE state = 'pending')"
                + " OR EXISTS (SELECT 1 FROM " + SystemTables.BULK + ")") != 0;
    }

    static boolean repairing(Connection c) throws SQLException {
        return Sql.queryLong(c, "SELECT repair FROM " + SystemTables.DEVICE_STATE + " WHERE id = 1") != 0;
    }

    /** An explicit resync: the full state from cursor 0, own rows included; in a transaction. */
    static void resync(Connection c) throws SQLException {
        Sql.update(c, "UPDATE " + SystemTables.DEVICE_STATE + " SET cursor = 0, resync = 1, repair = max(repair, own_mark, 1)"
                + " WHERE id = 1");
        LOG.info("resync requested: pulling the server's full state from cursor 0, this device's own rows included;"
                + " pending local changes are kept and pushed");
    }

    /**
     * SQL for the device-state update that ends a repair when a catch-up or snapshot reached its last page (the first
     * and fourth parameters: whether it did); the device then knows its writes up to the mark the repair was started for.
     *
     * <p>A full resync that ends below the own mark (the second parameter: whether a snapshot ended, the third: its
     * cursor) starts one instead: its first page forgot the row sequences, ACKs included, so a snapshot read before an
     * acknowledged own change may have written the row's older state over it, or left out the row that change created
     * (then deleted here as one the server no longer has); the catch-up after it would leave those own rows out.
     * Asking for them ({@code self}) up to the head brings them back.
     */
    static final String END_ON_LAST_PAGE = "own_mark = CASE WHEN ? AND repair > own_mark THEN repair ELSE own_mark END,"
            + " repair = CASE WHEN ? AND max(repair, own_mark) > ? THEN max(repair, own_mark) WHEN ? THEN 0 ELSE repair END";
}
