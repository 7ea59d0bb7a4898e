package io.pocketsync.api;

import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Validation of identifiers that arrive from the network. Nothing from the network reaches SQL,
 * a Redis key or an MQTT topic without passing one of these checks.
 *
 * <ul>
 *   <li>Scope and device ids: 1–128 characters of {@code [A-Za-z0-9._:@-]}. This excludes the MQTT
 *       topic separators and wildcards ({@code / + #}), Redis hash-tag braces and whitespace.</li>
 *   <li>Table and column names: 1–128 characters, no control characters and no NUL. They are
 *       always quoted in SQL, and a device additionally checks them against its local schema.</li>
 *   <li>Change and batch ids: 1–128 characters of {@code [A-Za-z0-9._:-]}.</li>
 * </ul>
 *
 * <p>Thread-safe; stateless.
 */
public final class Identifiers {
    /** Longest identifier accepted anywhere. */
    public static final int MAX_LENGTH = 128;

    private static final Pattern SCOPE_OR_DEVICE = Pattern.compile("[A-Za-z0-9._:@-]{1," + MAX_LENGTH + "}");

    private Identifiers() {}

    /**
     * Whether {@code value} is a valid scope or device id.
     *
     * @param value the identifier; may be null
     * @return false for null and for anything outside the rules above
     */
    public static boolean isScopeOrDeviceId(@Nullable String value) {
        return value != null && SCOPE_OR_DEVICE.matcher(value).matches();
    }

    /**
     * Whether {@code value} is a valid change or batch id.
     *
     * @param value the identifier; may be null
     * @return false for null and for anything outside the rules above
     */
    public static boolean isChangeId(@Nullable String value) {
        // a loop, not CHANGE_ID.matcher: checked twice for every change a device applies or a server ingests
        if (value == null || value.isEmpty() || value.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '-';
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code value} is an acceptable table or column name.
     *
     * @param value the name; may be null
     * @return false for null and for anything outside the rules above
     */
    public static boolean isSqlName(@Nullable String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Checks a scope or device id.
     *
     * @param value the identifier; may be null
     * @param what what the identifier is, for the message (e.g. {@code "scope"})
     * @return {@code value}
     * @throws PocketSyncException with {@link ErrorCode#IDENTIFIER_INVALID} when invalid
     */
    public static String requireScopeOrDeviceId(@Nullable String value, String what) {
        if (!isScopeOrDeviceId(value)) {
            throw new PocketSyncException(ErrorCode.IDENTIFIER_INVALID,
                    what + " must be 1-" + MAX_LENGTH + " characters of [A-Za-z0-9._:@-]: " + describe(value));
        }
        return value;
    }

    /**
     * Checks a table or column name.
     *
     * @param value the name; may be null
     * @param what what the name is, for the message (e.g. {@code "table"})
     * @return {@code value}
     * @throws PocketSyncException with {@link ErrorCode#IDENTIFIER_INVALID} when invalid
     */
    public static String requireSqlName(@Nullable String value, String what) {
        if (!isSqlName(value)) {
            throw new PocketSyncException(ErrorCode.IDENTIFIER_INVALID,
                    what + " must be 1-" + MAX_LENGTH + " characters without control characters: " + describe(value));
        }
        return value;
    }

    /**
     * Checks a change or batch id.
     *
     * @param value the identifier; may be null
     * @param what what the identifier is, for the message (e.g. {@code "change id"})
     * @return {@code value}
     * @throws PocketSyncException with {@link ErrorCode#IDENTIFIER_INVALID} when invalid
     */
    public static String requireChangeId(@Nullable String value, String what) {
        if (!isChangeId(value)) {
            throw new PocketSyncException(ErrorCode.IDENTIFIER_INVALID,
                    what + " must be 1-" + MAX_LENGTH + " characters of [A-Za-z0-9._:-]: " + describe(value));
        }
        return value;
    }

    /**
     * Quotes a (validated) SQL identifier: {@code my"table} becomes {@code "my""table"}.
     *
     * @param name a table or column name
     * @return the name in double quotes, inner quotes doubled
     * @throws PocketSyncException with {@link ErrorCode#IDENTIFIER_INVALID} when the name is invalid
     */
    public static String quoteSql(String name) {
        return '"' + requireSqlName(name, "identifier").replace("\"", "\"\"") + '"';
    }

    private static String describe(@Nullable String value) {
        if (value == null) {
            return "null";
        }
        String shown = value.length() > 40 ? value.substring(0, 40) + "..." : value;
        StringBuilder out = new StringBuilder("'");
        for (char c : shown.toCharArray()) {
            out.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return out.append("' (length ").append(value.length()).append(')').toString();
    }
}
