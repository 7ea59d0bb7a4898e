package io.pocketsync.api.protocol;

/**
 * Device → server: send me one page of changes after {@code cursor}. Answered by one
 * {@link Changes} page (CATCH_UP, or SNAPSHOT when the cursor is older than the retention horizon).
 *
 * @param protocolVersion protocol version
 * @param cursor the device's cursor
 * @param limit the most rows the device wants in the page (the server may send fewer)
 */
public record Pull(int protocolVersion, long cursor, int limit) implements Message {
    @Override
    public MessageType type() {
        return MessageType.PULL;
    }
}
