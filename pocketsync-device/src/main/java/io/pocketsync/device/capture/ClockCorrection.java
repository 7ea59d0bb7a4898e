package io.pocketsync.device.capture;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a device whose wall clock is wrong from stamping its writes with it.
 *
 * <p>At every WELCOME the device measures {@code offset = device wall clock - server wall clock} (the server sends its
 * time; one network delay is noise, so an offset under a second counts as none). The offset is stored with the
 * device state, and {@link JournalSealer} stamps each write with its wall clock minus the offset: the server's time
 * of the write, as near as the device can tell. When the offset changes, the changes still pending (never
 * acknowledged, so no one has them yet) are restamped by the change, in queue order and strictly increasing, never
 * below the device clock's merged remote HLCs or its acknowledged changes.
 *
 * <p>What a user can rely on, whatever the device's clock says: its writes keep their order among themselves; a write
 * made after the device applied another device's change orders after that change (the applied clocks are merged);
 * a device whose clock runs minutes or days ahead is not refused {@code CLOCK_SKEW} once it has connected, and its
 * writes made while offline are ordered at the server's time of when they were made, corrected by the offset it
 * measured at its next connection (if the clock was changed while offline, by the later offset). A write is
 * refused {@code CLOCK_SKEW} only if it is stamped further ahead of the server than its skew bound after all this,
 * e.g. when a clock jumps forward between two connections and the write is pushed before the next WELCOME.
 */
final class ClockCorrection {
    private static final Logger LOG = LoggerFactory.getLogger(ClockCorrection.class);
    /** HLC values hold the wall clock in milliseconds shifted left by this. */
    private static final int COUNTER_BITS = 16;

    private ClockCorrection() {}

    /**
     * Restamps the pending changes stamped after {@code serverTimeMillis} to at most that time, in queue order and
     * strictly increasing, never below the floor {@link #apply} keeps; call inside a write transaction. Changes the
     * floor itself puts beyond that time keep their stamps.
     *
     * @return the number of changes restamped
     */
    static int restampAhead(StatementCache statements, long serverTimeMillis) throws SQLException {
        long ceiling = serverTimeMillis << COUNTER_BITS;
        long previous = floor(statements);
        List<long[]> pending = pending(statements);
        ValuesBatch restamp = new ValuesBatch(statements, "UPDATE " + SystemTables.CHANGES + " SET hlc = v.column2 FROM (", 2,
                ") AS v WHERE seq = v.column1");
        int changed = 0;
        for (long[] change : pending) {
            long hlc = Math.max(Math.min(change[1], ceiling), previous + 1);
            if (hlc != change[1]) {
                restamp.add(change[0], hlc);
                changed++;
            }
            previous = hlc;
        }
        restamp.flush();
        if (changed > 0) {
            LOG.info("{} pending changes stamped after the server's time restamped to it", changed);
        }
        return changed;
    }

    private static long floor(StatementCache statements) throws SQLException {
        return Math.max(statements.queryLong("SELECT hlc FROM " + SystemTables.DEVICE_STATE + " WHERE id = 1"),
                statements.queryLong("SELECT coalesce(max(hlc), 0) FROM " + SystemTables.CHANGES + " WHERE +state = 'acked'"));
    }

    private static List<long[]> pending(StatementCache statements) throws SQLException {
        List<long[]> pending = new ArrayList<>();
        PreparedStatement read = statements.get("SELECT seq, hlc FROM " + SystemTables.CHANGES + " WHERE state = 'pending' ORDER BY seq");
        try (ResultSet rs = read.executeQuery()) {
            while (rs.next()) {
                pending.add(new long[] {rs.getLong(1), rs.getLong(2)});
            }
        }
        return pending;
    }

    /**
     * Stores {@code offsetMillis} and restamps what is pending; call inside a write transaction.
     *
     * @param seal seals the journal (with the new offset), after the restamp, so that its stamps follow the corrected ones
     * @return the number of pending changes restamped
     */
    static int apply(StatementCache statements, long offsetMillis, Sql.Work<?> seal) throws SQLException {
        long old = statements.queryLong("SELECT clock_offset_ms FROM " + SystemTables.DEVICE_STATE + " WHERE id = 1");
        if (old == offsetMillis) {
            return 0;
        }
        statements.update("UPDATE " + SystemTables.DEVICE_STATE + " SET clock_offset_ms = ? WHERE id = 1", offsetMillis);
        long shift = (offsetMillis - old) << COUNTER_BITS;
        long floor = floor(statements);
        List<long[]> pending = pending(statements);
        ValuesBatch restamp = new ValuesBatch(statements, "UPDATE " + SystemTables.CHANGES + " SET hlc = v.column2 FROM (", 2,
                ") AS v WHERE seq = v.column1");
        long previous = floor;
        int changed = 0;
        for (long[] change : pending) {
            long hlc = Math.max(change[1] - shift, previous + 1);
            if (hlc != change[1]) {
                restamp.add(change[0], hlc);
                changed++;
            }
            previous = hlc;
        }
        restamp.flush();
        // what the journal holds was written with the same clock: sealed now, stamped with the new offset after these
        seal.run();
        LOG.info("device clock is {} ms off the server's (was {} ms): writes are stamped with the server's time; {} pending"
                + " changes restamped", offsetMillis, old, changed);
        return changed;
    }
}
