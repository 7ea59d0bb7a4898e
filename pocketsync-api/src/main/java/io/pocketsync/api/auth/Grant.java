package io.pocketsync.api.auth;

/**
 * What a {@link Principal} may do in its scope. A session of a {@link #READ_ONLY} grant receives every change of the
 * scope but every change it pushes is refused with {@code SCOPE_READ_ONLY}: not stored, not broadcast; the device
 * puts the server's row back into its file.
 */
public enum Grant {
    /** Read the scope; every write is refused with {@code SCOPE_READ_ONLY}. */
    READ_ONLY,
    /** Read and write the scope. */
    READ_WRITE;

    /**
     * Parses the short forms used in tokens and configuration.
     *
     * @param text {@code r} (or {@code ro}, {@code read}) for read-only; {@code rw} (or {@code read-write}) for
     *        read-write; any case
     * @return the grant
     * @throws IllegalArgumentException for anything else
     */
    public static Grant parse(String text) {
        return switch (text.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "r", "ro", "read", "read-only" -> READ_ONLY;
            case "rw", "read-write", "write" -> READ_WRITE;
            default -> throw new IllegalArgumentException("a grant is r or rw");
        };
    }

    /**
     * The short form: {@code r} or {@code rw}.
     *
     * @return the form {@link #parse} reads back
     */
    public String shortForm() {
        return this == READ_ONLY ? "r" : "rw";
    }
}
