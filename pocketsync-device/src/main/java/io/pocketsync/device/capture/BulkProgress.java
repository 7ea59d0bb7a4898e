package io.pocketsync.device.capture;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress of the bulk path's push (docs/architecture.md 4.3a), told as the install seal's was: an INFO line every
 * {@link CaptureOptions#progressInterval()} while pages are acknowledged ({@code bulk: N rows pushed, R rows/s, M left,
 * ETA}) and one when the last is. Counts only while lines are due. Not thread-safe (the capture is synchronized).
 */
final class BulkProgress {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteTriggerCapture.class);

    private final Duration interval;
    private long start;
    private long next;
    private long rows;

    BulkProgress(Duration interval) {
        this.interval = interval;
    }

    /** A page of {@code pageRows} rows was acknowledged; {@code records} counts what is left when a line is due. */
    void acknowledged(int pageRows, boolean last, BulkRecords records) throws SQLException {
        long now = System.nanoTime();
        if (start == 0) {
            start = now;
            next = now + interval.toNanos();
        }
        rows += pageRows;
        double rate = rows / Math.max(1e-9, (now - start) / 1e9);
        if (last) {
            LOG.info("bulk: done, {} existing rows pushed in {} s ({} rows/s)", number(rows), Math.round((now - start) / 1e9),
                    number(Math.round(rate)));
            start = 0;
            rows = 0;
            return;
        }
        if (now - next < 0) {
            return;
        }
        next = now + interval.toNanos();
        long left = records.estimate(); // counting the rows left read the whole range at every line
        LOG.info("bulk: {} existing rows pushed, {} rows/s, {} left, ETA {} s", number(rows), number(Math.round(rate)),
                number(left), Math.round(left / Math.max(rate, 1e-9)));
    }

    private static String number(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }
}
