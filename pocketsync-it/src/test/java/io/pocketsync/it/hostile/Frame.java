package io.pocketsync.it.hostile;

/**
 * One raw message a hostile peer sends: bytes as they go on the wire. Over WebSocket {@code binary} picks a
 * binary frame (else text); over MQTT {@code topic} overrides the peer's own up topic (null: its own).
 */
record Frame(byte[] bytes, boolean binary, String topic) {
    static Frame text(byte[] bytes) {
        return new Frame(bytes, false, null);
    }

    static Frame binary(byte[] bytes) {
        return new Frame(bytes, true, null);
    }

    Frame onTopic(String value) {
        return new Frame(bytes, binary, value);
    }
}
