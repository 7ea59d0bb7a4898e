package io.pocketsync.api.protocol;

/**
 * Either direction: are you there? Answered by a {@link Pong} with the same nonce. Transports that
 * have their own heartbeats (WebSocket ping frames, MQTT keep-alive) may not need it.
 */
public record Ping(int protocolVersion, long nonce) implements Message {
    @Override
    public MessageType type() {
        return MessageType.PING;
    }
}
