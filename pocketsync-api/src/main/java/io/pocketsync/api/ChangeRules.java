package io.pocketsync.api;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Op;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The one validation of a change's identifiers and values, shared by the server (before it stores a pushed change)
 * and every device (before it writes a remote one), and written down in {@code docs/protocol.md} 2.1. Anything it
 * accepts, a device can apply: the server refuses a change a device would have to refuse, so no stored row diverges
 * for good.
 *
 * <ul>
 *   <li>change id and row id ({@code gid}): 1 to {@code maxLength} characters of {@code [A-Za-z0-9._:-]}
 *       ({@link Identifiers#isChangeId});</li>
 *   <li>table and column names: 1 to {@code maxLength} characters, no control characters
 *       ({@link Identifiers#isSqlName}); no column named {@code ps_global_id} (the row id travels as {@code gid});</li>
 *   <li>an UPDATE's changed columns are in its row image; a DELETE's image is ignored;</li>
 *   <li>values: null, a 64-bit integer ({@link Long}), a real that is not NaN ({@link Double}: SQLite stores NaN as
 *       NULL; infinities are kept), text ({@link String}) that is valid UTF-16 (no unpaired surrogate, which SQLite's
 *       UTF-8 could not hold), or a BLOB ({@code byte[]}).</li>
 * </ul>
 * An INSERT or UPDATE may have an empty image: a table whose only column is its rowid key sends none.
 *
 * <p>Stateless and thread-safe. Runs for every change on both sides, so it allocates nothing for a valid one.
 */
public final class ChangeRules {
    /** The row id column every tracked table has; never inside a row image. */
    public static final String GLOBAL_ID_COLUMN = "ps_global_id";

    /**
     * Why a change breaks the rules.
     *
     * @param code the error code for the REJECTED result or the parked change: {@link ErrorCode#IDENTIFIER_INVALID}
     *        or {@link ErrorCode#INVALID_CHANGE}
     * @param reason a short reason, safe to log (it quotes no value)
     */
    public record Violation(ErrorCode code, String reason) {}

    private ChangeRules() {}

    /**
     * Checks a change against the rules with the longest identifier {@link Identifiers#MAX_LENGTH}.
     *
     * @param change the change; not null
     * @return null when the change is valid, else why not
     */
    public static @Nullable Violation check(Change change) {
        return check(change, Identifiers.MAX_LENGTH);
    }

    /**
     * Checks a change against the rules.
     *
     * @param change the change; not null
     * @param maxLength the longest identifier accepted, at most {@link Identifiers#MAX_LENGTH}
     * @return null when the change is valid, else why not
     */
    public static @Nullable Violation check(Change change, int maxLength) {
        if (!Identifiers.isChangeId(change.changeId()) || change.changeId().length() > maxLength) {
            return new Violation(ErrorCode.IDENTIFIER_INVALID, "invalid change id");
        }
        if (!Identifiers.isSqlName(change.table()) || change.table().length() > maxLength) {
            return new Violation(ErrorCode.IDENTIFIER_INVALID, "invalid table name");
        }
        if (!isRowId(change.globalId()) || change.globalId().length() > maxLength) {
            return new Violation(ErrorCode.IDENTIFIER_INVALID,
                    "invalid row id (gid): must be 1-" + maxLength + " characters of [A-Za-z0-9._:-]");
        }
        if (change.op() == Op.DELETE) {
            return null;
        }
        for (Map.Entry<String, @Nullable Object> entry : change.row().entrySet()) {
            String column = entry.getKey();
            if (!Identifiers.isSqlName(column) || column.length() > maxLength) {
                return new Violation(ErrorCode.IDENTIFIER_INVALID, "invalid column name");
            }
            if (column.equalsIgnoreCase(GLOBAL_ID_COLUMN)) {
                return new Violation(ErrorCode.INVALID_CHANGE, GLOBAL_ID_COLUMN + " must not be in a row image");
            }
            String problem = valueProblem(entry.getValue());
            if (problem != null) {
                return new Violation(ErrorCode.INVALID_CHANGE, "column " + shown(column) + " " + problem);
            }
        }
        if (change.op() == Op.UPDATE) {
            for (String column : change.changedColumns()) {
                if (!change.row().containsKey(column)) {
                    return new Violation(ErrorCode.INVALID_CHANGE, "changed column missing from the row image");
                }
            }
        }
        return null;
    }

    /**
     * Whether {@code value} is a valid row id ({@code gid}): the characters of a change id.
     *
     * @param value the row id; may be null
     * @return false for null and for anything outside 1-128 characters of {@code [A-Za-z0-9._:-]}
     */
    public static boolean isRowId(@Nullable String value) {
        return Identifiers.isChangeId(value);
    }

    /**
     * Whether {@code value} may be a row value: what every device can write into SQLite and read back unchanged.
     *
     * @param value the value; may be null
     * @return whether it is null, a Long, a Double other than NaN, valid UTF-16 text or a byte[]
     */
    public static boolean isValue(@Nullable Object value) {
        return valueProblem(value) == null;
    }

    private static @Nullable String valueProblem(@Nullable Object value) {
        if (value == null || value instanceof Long || value instanceof byte[]) {
            return null;
        }
        if (value instanceof Double d) {
            return d.isNaN() ? "holds NaN, which SQLite stores as NULL" : null;
        }
        if (value instanceof String text) {
            return validUtf16(text) ? null : "holds text with an unpaired surrogate, which UTF-8 cannot hold";
        }
        return "holds no SQLite value (" + value.getClass().getSimpleName() + ")";
    }

    private static boolean validUtf16(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return false;
                }
                i++;
            }
            else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static String shown(String column) {
        String shown = column.length() > 40 ? column.substring(0, 40) + "..." : column;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
