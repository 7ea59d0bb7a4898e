package io.pocketsync.device.capture;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the engine does with the journal mode of the app's database ({@code capture.sqlite-triggers.journal-mode}). The
 * journal mode is a property of the file, kept for every connection and program that opens it, so it only changes when
 * this says so, and the change is logged at INFO.
 */
public enum JournalMode {
    /**
     * The default: a file in another mode is switched to WAL once, which is logged. In WAL the app's reads and the
     * engine's writes do not wait for each other, and the engine's connection can run {@code synchronous=NORMAL}
     * without risking corruption. A file already in WAL is left as it is.
     */
    WAL,
    /**
     * The file keeps the mode the app gave it. In a rollback-journal mode ({@code delete}, {@code truncate},
     * {@code persist}) readers and writers wait for each other, so the app's reads may wait for the engine's short
     * writes and the other way round (see docs/operations.md, "Busy device databases"), and the engine's connection runs
     * {@code synchronous=FULL}, which a rollback journal needs to be safe against power loss.
     */
    KEEP;

    private static final Logger LOG = LoggerFactory.getLogger(JournalMode.class);

    /**
     * Reads a configured value.
     *
     * @param value {@code wal} or {@code keep}, in any case
     * @return the mode
     * @throws PocketSyncException {@code CONFIG_INVALID} for any other value
     */
    public static JournalMode parse(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "wal" -> WAL;
            case "keep" -> KEEP;
            default -> throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "journal-mode: '" + value
                    + "' is neither 'wal' (switch the file to WAL, the default) nor 'keep' (leave its journal mode alone)");
        };
    }

    /**
     * Applies this to the database of {@code connection}: switches it to WAL when this is {@link #WAL} and the file is
     * in another mode (logged at INFO, naming the file and its mode before), else leaves it.
     *
     * @return whether the file is in WAL mode now
     * @throws SQLException when SQLite refuses (a switch needs a moment with no other connection inside a transaction)
     */
    boolean apply(Connection connection) throws SQLException {
        String before = Sql.queryString(connection, "PRAGMA journal_mode");
        if ("wal".equalsIgnoreCase(before)) {
            return true;
        }
        if (this == KEEP) {
            LOG.debug("{} keeps journal_mode={} (journal-mode=keep)", file(connection), before);
            return false;
        }
        String after = Sql.queryString(connection, "PRAGMA journal_mode = WAL");
        if ("wal".equalsIgnoreCase(after)) {
            LOG.info("Switched {} from journal_mode={} to WAL: the app's reads and the sync engine's writes then do not wait"
                    + " for each other. The mode is kept in the file; capture option journal-mode=keep (sidecar: --journal-mode"
                    + " keep) leaves it alone", file(connection), before);
            return true;
        }
        LOG.info("{} stays in journal_mode={}: SQLite did not switch it to WAL", file(connection), after);
        return false;
    }

    private static String file(Connection connection) throws SQLException {
        String file = Sql.queryString(connection, "SELECT file FROM pragma_database_list WHERE name = 'main'");
        return file == null || file.isEmpty() ? "the device database (in memory)" : file;
    }
}
