package io.pocketsync.server.engine;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One device of a scope as operators see it ({@link ServerAdmin#devices}): connected or not, its session, its position
 * behind the scope's head, and the controls that hold for it.
 *
 * @param deviceId the device id
 * @param connected whether a session of it is live on this node, or on another node sharing the store (from that
 *        node's sighting, at most a minute old)
 * @param node the node serving it now, or the one that served it last; null when never seen
 * @param sessionId the live session's id when it is live on this node, else null
 * @param transport the transport of its live or last session, e.g. {@code websocket}; null when never seen
 * @param remoteAddress the peer address of its live or last session; null when never seen
 * @param connectedSince when its live or last session opened; null when never seen
 * @param lastSeen when it last spoke (live on this node), or when its last session was last seen; null when never seen
 * @param cursor the server's view of its position: the cursor it last reported (HELLO, PULL) or the end of the last
 *        CHANGES sent to it, whichever is higher; from its last sighting when it is not live on this node
 * @param lag how far that position is behind the scope's head, in sequences; never negative
 * @param pushesWaiting PUSHes it sent that the server has not answered yet; -1 when not known (not live on this node).
 *        The changes still pending on the device itself are not known to the server.
 * @param changesReceived changes received in its live session on this node; -1 when not known
 * @param revokedAt when an operator revoked it; null when it is allowed
 * @param revokeReason the operator's reason for the revocation; empty when none was given, null when not revoked
 * @param resyncPending an operator asked it to resync and the snapshot has not been sent in full yet
 */
public record DeviceStatus(String deviceId, boolean connected, @Nullable String node, @Nullable String sessionId,
        @Nullable String transport, @Nullable String remoteAddress, @Nullable Instant connectedSince,
        @Nullable Instant lastSeen, long cursor, long lag, int pushesWaiting, long changesReceived,
        @Nullable Instant revokedAt, @Nullable String revokeReason, boolean resyncPending) {}
