package io.pocketsync.server.engine;

import org.jspecify.annotations.Nullable;

/**
 * The claims a node makes when it establishes a session ({@link io.pocketsync.api.store.ServerStore#claimSession}):
 * {@code <epoch millis>:<node id>:<session id>}, followed by {@code /<transport>} when every node sees the session's
 * connection ({@link io.pocketsync.api.transport.Connection#seenByEveryNode}; {@code /} is in no id). Of two live
 * sessions for one device id, on one node or on two, the one with the newer claim stays: ordered by the establishing
 * node's clock, then by the text. Both nodes compare the same two claims, so they agree which one goes, even when
 * claims cross on the way. Two claims of one shared transport are the same device seen by two nodes: neither goes.
 */
final class SessionClaims {
    private SessionClaims() {}

    static String of(long millis, String nodeId, String sessionId) {
        return millis + ":" + nodeId + ":" + sessionId;
    }

    /** A claim for a session whose connection every node sees, over {@code transport}. */
    static String shared(long millis, String nodeId, String sessionId, String transport) {
        return of(millis, nodeId, sessionId) + "/" + transport;
    }

    /**
     * Whether two claims are of the same shared transport, i.e. the same device seen by two nodes through one broker.
     */
    static boolean sameSharedTransport(String claim, String other) {
        String transport = sharedTransport(claim);
        return transport != null && transport.equals(sharedTransport(other));
    }

    private static @Nullable String sharedTransport(String claim) {
        int slash = claim.indexOf('/');
        return slash < 0 ? null : claim.substring(slash + 1);
    }

    /** Whether {@code claim} is newer than {@code other}; a claim that does not parse is never newer. */
    static boolean newer(String claim, String other) {
        long at = millis(claim);
        long otherAt = millis(other);
        if (at < 0 || otherAt < 0) {
            return false;
        }
        return at != otherAt ? at > otherAt : claim.compareTo(other) > 0;
    }

    private static long millis(String claim) {
        int colon = claim.indexOf(':');
        try {
            return colon <= 0 ? -1 : Long.parseLong(claim.substring(0, colon));
        }
        catch (NumberFormatException e) {
            return -1;
        }
    }
}
