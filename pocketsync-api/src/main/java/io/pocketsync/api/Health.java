package io.pocketsync.api;

import static java.util.Objects.requireNonNull;

/**
 * Whether a part of a running server can do its job right now, as {@code /health/ready} reports it: a store that
 * can write, a transport whose listener accepts or whose broker is connected.
 *
 * <p>A part that is down says why in {@code detail}, in words an operator can act on ("SQLITE_FULL: the disk is
 * full", "broker tcp://... unreachable"). Never carries a secret.
 *
 * @param up true while the part can serve
 * @param detail why it is down, or a short state when up; never null
 */
public record Health(boolean up, String detail) {
    private static final Health OK = new Health(true, "ok");

    /**
     * Checks the detail.
     *
     * @param up true while the part can serve
     * @param detail why it is down, or a short state when up
     */
    public Health {
        requireNonNull(detail, "detail is null");
    }

    /**
     * A part that serves.
     *
     * @return up, with detail {@code ok}
     */
    public static Health ok() {
        return OK;
    }

    /**
     * A part that cannot serve.
     *
     * @param why what is wrong, for the operator
     * @return down, with {@code why}
     */
    public static Health down(String why) {
        return new Health(false, why);
    }
}
