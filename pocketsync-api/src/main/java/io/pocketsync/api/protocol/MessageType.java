package io.pocketsync.api.protocol;

/** The wire tag of each message ({@code "type"} field). */
public enum MessageType {
    HELLO,
    WELCOME,
    PUSH,
    ACK,
    CHANGES,
    PULL,
    ERROR,
    PING,
    PONG
}
