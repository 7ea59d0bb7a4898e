package io.pocketsync.api.transport;

import io.pocketsync.api.protocol.Message;

/**
 * Receives the messages of one server-side connection. Methods are called one at a time and in
 * order for a connection, on a transport thread; implementations must not block for long.
 */
public interface ConnectionListener {
    /**
     * A decoded message arrived. Malformed input never gets here: the transport answers it with ERROR and closes.
     *
     * @param message the message
     */
    void onMessage(Message message);

    /** The connection closed (either side); called once. */
    void onClose();
}
