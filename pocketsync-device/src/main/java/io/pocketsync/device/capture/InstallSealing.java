package io.pocketsync.device.capture;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seals what installing journaled (every existing row of a newly tracked table) in rounds, each its own transaction,
 * and logs progress while it lasts longer than {@link CaptureOptions#progressInterval()}: a table of a million rows
 * takes tens of seconds, which should not pass in silence. Stateless.
 */
final class InstallSealing {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteTriggerCapture.class);

    private InstallSealing() {}

    /** One sealing round in its own transaction; negative when the journal was empty. */
    interface Round {
        int run() throws SQLException;
    }

    static void sealAll(Connection connection, StatementCache statements, Duration interval, Round round) throws SQLException {
        long total = statements.queryLong("SELECT count(*) FROM " + SystemTables.JOURNAL);
        if (total == 0) {
            return;
        }
        long start = System.nanoTime();
        long next = start + interval.toNanos();
        boolean told = false;
        while (Sql.inTransaction(connection, round::run) >= 0) {
            long now = System.nanoTime();
            if (now - next >= 0) {
                // the count only when a line is due: the journal shrinks by a round at a time
                long left = statements.queryLong("SELECT count(*) FROM " + SystemTables.JOURNAL);
                long done = Math.max(0, total - left);
                double rate = done / ((now - start) / 1e9);
                LOG.info("install: {} of {} existing rows sealed, {} rows/s, ETA {}", number(done), number(total),
                        number(Math.round(rate)), rate <= 0 ? "unknown" : Math.round(left / rate) + " s");
                next = now + interval.toNanos();
                told = true;
            }
        }
        if (told) {
            LOG.info("install: done, {} rows sealed in {} s", number(total), Math.round((System.nanoTime() - start) / 1e9));
        }
    }

    private static String number(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }
}
