package io.pocketsync.device.capture;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sealing a large journal, such as every existing row of a newly tracked table: in rounds of {@link #ROUND} journal
 * rows, each its own transaction, with a larger page cache, logging progress while it lasts longer than
 * {@link CaptureOptions#progressInterval()} (a table of a million rows should not pass in silence).
 *
 * <p>Why these sizes: a new row's id goes into the {@code ps_global_id} index, and natural ids ({@link NaturalIds}) are
 * digests, so a round's ids land all over that index. A transaction writes each page it touched once, so a round of
 * 10,000 rows writes far fewer pages per row than ten rounds of 1,000; while a bulk seal runs the connection's page
 * cache is raised to {@value #CACHE_KIB} KiB (SQLite's default is 2,000 KiB), so those pages stay in memory until the
 * commit, and put back after. Measured on a 200,000-row table: 7.1 s of CPU with rounds of 1,000 and the default
 * cache, 4.6 s with both changes.
 */
final class InstallSealing {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteTriggerCapture.class);

    /** Journal rows per round of a bulk seal. */
    static final int ROUND = 10_000;
    /** The page cache while a bulk seal runs, in KiB. */
    private static final int CACHE_KIB = 32 * 1024;

    private final long total;
    /** The last journal row to seal: later ones are writes made meanwhile and clock markers. */
    private final long upTo;
    private final Duration interval;
    private final long start = System.nanoTime();
    private long next;
    private boolean told;

    /**
     * Progress of sealing {@code total} journal rows, the journal's rows up to id {@code upTo}, told every
     * {@code interval}.
     */
    InstallSealing(long total, long upTo, Duration interval) {
        this.total = total;
        this.upTo = upTo;
        this.interval = interval;
        this.next = start + interval.toNanos();
    }

    /** One sealing round in its own transaction; negative when the journal was empty. */
    interface Round {
        int run() throws SQLException;
    }

    /** Seals the whole journal in rounds of {@link #ROUND}, each in its own transaction, telling progress. */
    static void sealAll(Connection connection, StatementCache statements, Duration interval, Round round) throws SQLException {
        long total = statements.queryLong("SELECT count(*) FROM " + SystemTables.JOURNAL);
        if (total == 0) {
            return;
        }
        InstallSealing progress = new InstallSealing(total, lastJournalId(statements), interval);
        withLargeCache(connection, () -> {
            while (Sql.inTransaction(connection, round::run) >= 0) {
                progress.sealed(statements);
            }
            progress.done();
            return null;
        });
    }

    /** The id of the newest journal row, 0 when the journal is empty. */
    static long lastJournalId(StatementCache statements) throws SQLException {
        return statements.queryLong("SELECT coalesce(max(id), 0) FROM " + SystemTables.JOURNAL);
    }

    /** Whether every journal row this progress counts is sealed. */
    boolean finished(StatementCache statements) throws SQLException {
        return statements.queryLong("SELECT EXISTS (SELECT 1 FROM " + SystemTables.JOURNAL + " WHERE id <= ?)", upTo) == 0;
    }

    /** Whether the journal holds at least {@link #ROUND} rows: then a seal is a bulk seal. */
    static boolean bulk(StatementCache statements) throws SQLException {
        return statements.queryLong("SELECT count(*) FROM (SELECT 1 FROM " + SystemTables.JOURNAL + " LIMIT " + ROUND + ")")
                >= ROUND;
    }

    /** Runs {@code work} with the connection's page cache raised to {@value #CACHE_KIB} KiB, and puts it back after. */
    static <T> T withLargeCache(Connection connection, Sql.Work<T> work) throws SQLException {
        long cache = Sql.queryLong(connection, "PRAGMA cache_size");
        // negative: KiB; positive: pages (an app's own larger setting is kept)
        long pageKib = Sql.queryLong(connection, "PRAGMA page_size") / 1024;
        boolean raise = (cache < 0 ? -cache : cache * pageKib) < CACHE_KIB;
        if (raise) {
            Sql.execute(connection, "PRAGMA cache_size = -" + CACHE_KIB);
        }
        try {
            return work.run();
        }
        finally {
            if (raise) {
                Sql.execute(connection, "PRAGMA cache_size = " + cache);
            }
        }
    }

    /** A round was sealed: a progress line when one is due (the journal is counted only then). */
    void sealed(StatementCache statements) throws SQLException {
        long now = System.nanoTime();
        if (now - next < 0) {
            return;
        }
        long left = statements.queryLong("SELECT count(*) FROM " + SystemTables.JOURNAL + " WHERE id <= ?", upTo);
        long done = Math.max(0, total - left);
        double rate = done / ((now - start) / 1e9);
        LOG.info("install: {} of {} existing rows sealed, {} rows/s, ETA {}", number(done), number(total),
                number(Math.round(rate)), rate <= 0 ? "unknown" : Math.round(left / rate) + " s");
        next = now + interval.toNanos();
        told = true;
    }

    /** The journal is empty: a closing line when progress was told. */
    void done() {
        if (told) {
            LOG.info("install: done, {} rows sealed in {} s", number(total), Math.round((System.nanoTime() - start) / 1e9));
        }
    }

    private static String number(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }
}
