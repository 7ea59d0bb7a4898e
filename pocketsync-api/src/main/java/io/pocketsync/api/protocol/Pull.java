package io.pocketsync.api.protocol;

import io.pocketsync.api.checksum.ChecksumLevel;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Device → server: send me one page of changes after {@code cursor}. Answered by one
 * {@link Changes} page (CATCH_UP, or SNAPSHOT when the cursor is older than the retention horizon).
 *
 * <p>{@code ownFrom} closes a gap in the "born and died" rule: a row created and deleted after the
 * cursor is normally not sent, but the device may hold it because one of its own changes created or wrote
 * it (its own pushes are stored before its cursor reaches them), or because an ACK handed it the row as the
 * winner over its change. The device therefore says where the row states it got from ACKs start above the
 * cursor — {@code cursor + 1} while any change is still waiting for its ACK, since it may already be stored —
 * and tombstones of rows that died at or after that sequence are sent as deletes.
 *
 * <p>{@code self} asks for the rows whose latest state this device wrote, which catch-up normally leaves out: a
 * device that lost its data, was restored from a backup or was told to resync may lack them (protocol.md 3.5). A
 * PULL from cursor 0 with {@code self} is answered as a full resync (SNAPSHOT pages).
 *
 * <p>{@code tables} (protocol 4) restricts the page to some of the session's subscribed tables: a <em>table
 * catch-up</em> of tables the device just started tracking, from that catch-up's own cursor, with the device's own rows
 * included, answered by a page that names the same tables ({@link Changes#tables()}) and leaves the main cursor alone
 * (docs/protocol.md 3.8).
 *
 * @param protocolVersion protocol version
 * @param cursor the device's cursor
 * @param limit the most rows the device wants in the page (the server may send fewer)
 * @param ownFrom the lowest server sequence above {@code cursor} at which this device may hold a row state
 *        it got from an ACK (its own change, or the winner over it), or 0 when there is none
 * @param self whether the page includes rows whose latest state this device wrote (wire field {@code self}, optional)
 * @param sums the level of the checksums a final page should carry (wire fields {@code sums} and {@code level},
 *        optional); null for none
 * @param tables the tables a table catch-up asks for (wire field {@code tables}, optional, protocol 4); null for a
 *        PULL of every subscribed table
 */
public record Pull(int protocolVersion, long cursor, int limit, long ownFrom, boolean self, @Nullable ChecksumLevel sums,
        @Nullable List<String> tables) implements Message {
    /**
     * Validates the message: {@code ownFrom} is never negative.
     *
     * @param protocolVersion protocol version
     * @param cursor the device's cursor
     * @param limit the most rows the device wants in the page (the server may send fewer)
     * @param ownFrom the lowest server sequence above {@code cursor} at which this device may hold a row state
     *        it got from an ACK (its own change, or the winner over it), or 0 when there is none
     * @param self whether the page includes rows whose latest state this device wrote
     * @param sums the level of the checksums a final page should carry; null for none
     * @param tables the tables a table catch-up asks for; null for every subscribed table; never empty
     */
    public Pull {
        if (ownFrom < 0) {
            throw new IllegalArgumentException("ownFrom must not be negative: " + ownFrom);
        }
        if (tables != null && tables.isEmpty()) {
            throw new IllegalArgumentException("a table catch-up names at least one table");
        }
        tables = tables == null ? null : List.copyOf(tables);
    }

    /**
     * A pull of every subscribed table.
     *
     * @param protocolVersion protocol version
     * @param cursor the device's cursor
     * @param limit the most rows the device wants in the page (the server may send fewer)
     * @param ownFrom the lowest server sequence above {@code cursor} at which this device may hold a row state
     *        it got from an ACK (its own change, or the winner over it), or 0 when there is none
     * @param self whether the page includes rows whose latest state this device wrote
     * @param sums the level of the checksums a final page should carry; null for none
     */
    public Pull(int protocolVersion, long cursor, int limit, long ownFrom, boolean self, @Nullable ChecksumLevel sums) {
        this(protocolVersion, cursor, limit, ownFrom, self, sums, null);
    }

    /**
     * A pull that asks for the fine checksums or none, as a device before the coarse level does.
     *
     * @param protocolVersion protocol version
     * @param cursor the device's cursor
     * @param limit the most rows the device wants in the page (the server may send fewer)
     * @param ownFrom the lowest server sequence above {@code cursor} at which this device may hold a row state
     *        it got from an ACK (its own change, or the winner over it), or 0 when there is none
     * @param self whether the page includes rows whose latest state this device wrote
     * @param sums whether a final page should carry the scope's fine checksums
     */
    public Pull(int protocolVersion, long cursor, int limit, long ownFrom, boolean self, boolean sums) {
        this(protocolVersion, cursor, limit, ownFrom, self, sums ? ChecksumLevel.FINE : null, null);
    }

    /**
     * A pull that asks for no checksums.
     *
     * @param protocolVersion protocol version
     * @param cursor the device's cursor
     * @param limit the most rows the device wants in the page (the server may send fewer)
     * @param ownFrom the lowest server sequence above {@code cursor} at which this device may hold a row state
     *        it got from an ACK (its own change, or the winner over it), or 0 when there is none
     * @param self whether the page includes rows whose latest state this device wrote
     */
    public Pull(int protocolVersion, long cursor, int limit, long ownFrom, boolean self) {
        this(protocolVersion, cursor, limit, ownFrom, self, null, null);
    }

    /**
     * A pull that leaves out the device's own rows.
     *
     * @param protocolVersion protocol version
     * @param cursor the device's cursor
     * @param limit the most rows the device wants in the page (the server may send fewer)
     * @param ownFrom the lowest server sequence above {@code cursor} at which this device may hold a row state
     *        it got from an ACK (its own change, or the winner over it), or 0 when there is none
     */
    public Pull(int protocolVersion, long cursor, int limit, long ownFrom) {
        this(protocolVersion, cursor, limit, ownFrom, false, null, null);
    }

    /**
     * A pull from a device with no acknowledged changes above its cursor.
     *
     * @param protocolVersion protocol version
     * @param cursor the device's cursor
     * @param limit the most rows the device wants in the page
     */
    public Pull(int protocolVersion, long cursor, int limit) {
        this(protocolVersion, cursor, limit, 0, false, null, null);
    }

    @Override
    public MessageType type() {
        return MessageType.PULL;
    }
}
