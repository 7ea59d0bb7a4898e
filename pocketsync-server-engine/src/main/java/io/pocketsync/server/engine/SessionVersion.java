package io.pocketsync.server.engine;

import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.Checksums;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.Pong;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Welcome;

/**
 * Writes a server message in the protocol version its session speaks: the version of the device's HELLO, at most
 * {@link io.pocketsync.api.protocol.ProtocolVersion#CURRENT}. A protocol 1 device refuses a message marked 2, and every
 * message the server sends reads the same in both (version 2 only added HELLO's {@code tables}), so re-marking is
 * all it takes (docs/protocol.md 1.1); a WELCOME's grant (version 4) is left out of an older session's. Stateless.
 */
final class SessionVersion {
    private SessionVersion() {}

    static Message as(Message message, int version) {
        if (message.protocolVersion() == version) {
            return message;
        }
        if (message instanceof Changes c) {
            return new Changes(version, c.mode(), c.changes(), c.fromCursor(), c.cursor(), c.hasMore(), c.estimatedRemaining(),
                    c.sequences(), c.checksums(), c.tables());
        }
        if (message instanceof Ack a) {
            return new Ack(version, a.batchId(), a.results(), a.serverHlc(), a.serverTimeMillis());
        }
        if (message instanceof Checksums c) {
            return new Checksums(version, c.requestId(), c.sequence(), c.tables(), c.globalIds(), c.hashes(), c.rows(),
                    c.sequences(), c.algorithm());
        }
        if (message instanceof Welcome w) {
            return new Welcome(version, w.sessionId(), w.serverHlc(), w.headCursor(), w.resyncRequired(), w.maxBatchChanges(),
                    w.maxMessageBytes(), w.serverTimeMillis(), w.maxRowBytes(), w.maxAssembledBytes(), w.deviceMark(),
                    // the grant is protocol 4's: an older session's WELCOME stays as it was
                    version >= ProtocolVersion.TABLE_CATCH_UP ? w.grant() : null);
        }
        if (message instanceof ErrorMessage e) {
            return new ErrorMessage(version, e.code(), e.message(), e.refId());
        }
        if (message instanceof Pong p) {
            return new Pong(version, p.nonce());
        }
        return message;
    }
}
