package io.pocketsync.api.protocol;

/** The wire tag of each message ({@code "type"} field). */
public enum MessageType {
    /** Device → server: the first message; identifies and authenticates the device. */
    HELLO,
    /** Server → device: the answer to HELLO; the device may sync. */
    WELCOME,
    /** Device → server: a batch of local changes. */
    PUSH,
    /** Server → device: the verdict on each change of a PUSH. */
    ACK,
    /** Server → device: changes to apply (live broadcast, catch-up or snapshot page). */
    CHANGES,
    /** Device → server: asks for the changes after a cursor. */
    PULL,
    /** Either way: something failed; carries an {@link io.pocketsync.api.ErrorCode}. */
    ERROR,
    /** Device → server: asks for checksums of row state, bucket row hashes or row states (protocol.md 4). */
    VERIFY,
    /** Server → device: the answer to VERIFY. */
    CHECKSUMS,
    /** Either way: a liveness probe. */
    PING,
    /** Either way: the answer to a PING. */
    PONG
}
