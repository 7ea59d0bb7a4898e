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
 *
 * <p>While it runs, the connection's page cache is raised to {@value #CACHE_KIB} KiB (SQLite's default is 2,000 KiB) and
 * put back after: a round gives thousands of rows their ids, whose index entries land all over the {@code ps_global_id}
 * index, and with the default cache the index pages a round touches did not stay in memory until its commit.
 */
final class InstallSealing {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteTriggerCapture.class);

    /** The page cache while sealing, in KiB. */
    private static final int CACHE_KIB = 32 * 1024;

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
        long cache = Sql.queryLong(connection, "PRAGMA cache_size");
        // negative: KiB; positive: pages (an app's own larger setting is kept)
        long pageKib = Sql.queryLong(connection, "PRAGMA page_size") / 1024;
        if ((cache < 0 ? -cache : cache * pageKib) < CACHE_KIB) {
            Sql.execute(connection, "PRAGMA cache_size = -" + CACHE_KIB);
        }
        try {
            sealRounds(connection, statements, interval, round, total);
        }
        finally {
            Sql.execute(connection, "PRAGMA cache_size = " + cache);
        }
    }

    private static void sealRounds(Connection connection, StatementCache statements, Duration interval, Round round, long total)
            throws SQLException {
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
