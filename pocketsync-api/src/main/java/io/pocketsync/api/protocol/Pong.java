package io.pocketsync.api.protocol;

/** The answer to a {@link Ping}, with its nonce. */
public record Pong(int protocolVersion, long nonce) implements Message {
    @Override
    public MessageType type() {
        return MessageType.PONG;
    }
}
