package io.pocketsync.server.engine;

import io.pocketsync.api.store.ScopeNotes;
import org.jspecify.annotations.Nullable;

/**
 * The names and values of the engine's {@link ScopeNotes}, in one place:
 * <ul>
 *   <li>{@code revoked.<device>} = {@code <epoch ms>|<reason>}: the device is refused until allowed again;</li>
 *   <li>{@code resync.<device>} = {@code <epoch ms>}: the device's next session is served a full snapshot;</li>
 *   <li>{@code controls} = a stamp changed with every revocation, allowance and resync request, which each node's
 *       {@link DeviceSweep} compares to act on what another node recorded;</li>
 *   <li>{@code seen.<device>} = {@code 1|<since ms>|<last seen ms>|<online 1/0>|<node>|<transport>|<cursor>|<address>}:
 *       the device's last session, as the node that served it last wrote it;</li>
 *   <li>{@code audit.<id>} = {@code <epoch ms>|dropped} or {@code <epoch ms>|retried|<new change id>|<status>}: what
 *       an operator did with a rejected change of the audit log.</li>
 * </ul>
 * Values that do not parse (written by a newer version) are ignored.
 */
final class DeviceNotes {
    static final String CONTROLS = "controls";
    static final String REVOKED = "revoked.";
    static final String RESYNC = "resync.";
    static final String SEEN = "seen.";
    static final String AUDIT = "audit.";
    private static final int MAX_REASON = 500;

    private DeviceNotes() {}

    /** A revocation: when, and the operator's reason (may be empty). */
    record Revocation(long at, String reason) {
        String encode() {
            return at + "|" + reason;
        }

        static @Nullable Revocation parse(@Nullable String value) {
            String[] parts = value == null ? new String[0] : value.split("\\|", 2);
            Long at = parts.length == 2 ? number(parts[0]) : null;
            return at == null ? null : new Revocation(at, parts[1]);
        }
    }

    /** A device's last session as a node recorded it. */
    record Sighting(String device, long since, long lastSeen, boolean online, String node, String transport, long cursor,
            String address) {
        String encode() {
            return "1|" + since + "|" + lastSeen + "|" + (online ? 1 : 0) + "|" + clean(node, 200) + "|" + clean(transport, 200)
                    + "|" + cursor + "|" + clean(address, 500);
        }

        static @Nullable Sighting parse(String device, @Nullable String value) {
            String[] parts = value == null ? new String[0] : value.split("\\|", 8);
            if (parts.length != 8 || !parts[0].equals("1")) {
                return null;
            }
            Long since = number(parts[1]);
            Long lastSeen = number(parts[2]);
            Long cursor = number(parts[6]);
            if (since == null || lastSeen == null || cursor == null) {
                return null;
            }
            return new Sighting(device, since, lastSeen, parts[3].equals("1"), parts[4], parts[5], cursor, parts[7]);
        }
    }

    /** What an operator did with an audit entry: {@code dropped}, or {@code retried} as a new change with an outcome. */
    record AuditNote(long at, String action, @Nullable String changeId, @Nullable String outcome) {
        String encode() {
            return changeId == null ? at + "|" + action : at + "|" + action + "|" + changeId + "|" + outcome;
        }

        static @Nullable AuditNote parse(@Nullable String value) {
            String[] parts = value == null ? new String[0] : value.split("\\|", 4);
            Long at = parts.length >= 2 ? number(parts[0]) : null;
            if (at == null) {
                return null;
            }
            return new AuditNote(at, parts[1], parts.length == 4 ? parts[2] : null, parts.length == 4 ? parts[3] : null);
        }
    }

    /** An operator's free text as one line of bounded length (notes hold no line breaks). */
    static String clean(@Nullable String text, int max) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), max));
        for (int i = 0; i < text.length() && out.length() < max; i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) ? ' ' : c);
        }
        return out.toString().strip();
    }

    static String reason(@Nullable String text) {
        return clean(text, MAX_REASON);
    }

    private static @Nullable Long number(String text) {
        try {
            return Long.parseLong(text);
        }
        catch (NumberFormatException e) {
            return null;
        }
    }
}
