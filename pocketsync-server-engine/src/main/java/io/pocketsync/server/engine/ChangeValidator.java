package io.pocketsync.server.engine;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.Identifiers;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.Rows;
import java.time.Clock;
import java.util.Map;

/**
 * Checks one pushed change before it may reach the store: identifiers, origin device, row shape, row
 * size and clock skew. Every problem is a code the device gets back in a REJECTED result.
 *
 * <p>Immutable and thread-safe.
 */
final class ChangeValidator {
    /** The column every tracked table has; devices never send it inside a row image. */
    static final String GLOBAL_ID_COLUMN = "ps_global_id";
    /** The most unique keys a change may name, and the most columns in one. */
    static final int MAX_UNIQUE_KEYS = 32;

    private final ServerOptions options;
    private final Clock clock;

    ChangeValidator(ServerOptions options, Clock clock) {
        this.options = requireNonNull(options, "options is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** The verdict on one change: the change to store (possibly normalised), or why it is refused. */
    record Verdict(Change change, ErrorCode code, String reason) {
        boolean valid() {
            return code == null;
        }
    }

    Verdict check(Change change, String sessionDevice) {
        if (!Identifiers.isChangeId(change.changeId()) || tooLong(change.changeId())) {
            return refuse(change, ErrorCode.IDENTIFIER_INVALID, "invalid change id");
        }
        if (!Identifiers.isSqlName(change.table()) || tooLong(change.table())) {
            return refuse(change, ErrorCode.IDENTIFIER_INVALID, "invalid table name");
        }
        if (!Identifiers.isSqlName(change.globalId()) || tooLong(change.globalId())) {
            return refuse(change, ErrorCode.IDENTIFIER_INVALID, "invalid row id");
        }
        if (!change.deviceId().equals(sessionDevice)) {
            return refuse(change, ErrorCode.INVALID_CHANGE, "a device may push only its own changes");
        }
        Verdict keys = checkUniqueKeys(change);
        if (keys != null) {
            return keys;
        }
        Change normalised = change;
        if (change.op() == Op.DELETE) {
            // a DELETE carries no image; tolerate one rather than store it
            normalised = change.row().isEmpty() ? change : change.withRow(Op.DELETE, Map.of());
        }
        else {
            for (String column : change.row().keySet()) {
                if (!Identifiers.isSqlName(column) || tooLong(column)) {
                    return refuse(change, ErrorCode.IDENTIFIER_INVALID, "invalid column name");
                }
                if (column.equalsIgnoreCase(GLOBAL_ID_COLUMN)) {
                    return refuse(change, ErrorCode.INVALID_CHANGE, GLOBAL_ID_COLUMN + " must not be in a row image");
                }
            }
            if (change.op() == Op.UPDATE) {
                for (String column : change.changedColumns()) {
                    if (!change.row().containsKey(column)) {
                        return refuse(change, ErrorCode.INVALID_CHANGE, "changed column missing from the row image");
                    }
                }
            }
            long bytes = Rows.rowBytes(change.row());
            if (bytes > options.maxRowBytes()) {
                return refuse(change, ErrorCode.ROW_TOO_LARGE,
                        "row of " + bytes + " bytes exceeds the maximum of " + options.maxRowBytes());
            }
        }
        long aheadMillis = change.hlc().physicalMillis() - clock.millis();
        if (aheadMillis > options.clockSkew().toMillis()) {
            return refuse(normalised, ErrorCode.CLOCK_SKEW, "change clock is " + aheadMillis
                    + " ms ahead of the server (max " + options.clockSkew().toMillis() + " ms)");
        }
        return new Verdict(normalised, null, null);
    }

    /** The optional unique keys: a few sets of a few valid, distinct column names each. */
    private Verdict checkUniqueKeys(Change change) {
        if (change.uniqueKeys().size() > MAX_UNIQUE_KEYS) {
            return refuse(change, ErrorCode.INVALID_CHANGE, "more than " + MAX_UNIQUE_KEYS + " unique keys");
        }
        for (java.util.List<String> key : change.uniqueKeys()) {
            if (key.isEmpty() || key.size() > MAX_UNIQUE_KEYS || new java.util.HashSet<>(key).size() != key.size()) {
                return refuse(change, ErrorCode.INVALID_CHANGE, "a unique key needs 1 to " + MAX_UNIQUE_KEYS + " distinct columns");
            }
            for (String column : key) {
                if (!Identifiers.isSqlName(column) || tooLong(column) || column.equalsIgnoreCase(GLOBAL_ID_COLUMN)) {
                    return refuse(change, ErrorCode.IDENTIFIER_INVALID, "invalid column name in a unique key");
                }
            }
        }
        return null;
    }

    private boolean tooLong(String value) {
        return value.length() > options.maxIdentifierLength();
    }

    private static Verdict refuse(Change change, ErrorCode code, String reason) {
        return new Verdict(change, code, reason);
    }
}
