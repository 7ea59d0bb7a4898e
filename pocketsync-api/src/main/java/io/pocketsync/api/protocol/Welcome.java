package io.pocketsync.api.protocol;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.auth.Grant;
import io.pocketsync.api.model.Hlc;
import org.jspecify.annotations.Nullable;

/**
 * Server → device, the answer to a successful {@link Hello}.
 *
 * @param protocolVersion the version the session will speak
 * @param sessionId id of this session, for logs on both sides
 * @param serverHlc the server clock after merging the device's; the device merges it back
 * @param headCursor the latest server sequence of the scope at the time of the welcome
 * @param resyncRequired the device's cursor is older than the retention horizon (or newer than the head):
 *        its next pulls are served as a full snapshot
 * @param maxBatchChanges the largest PUSH the server accepts, in changes
 * @param maxMessageBytes the largest message the server accepts in one frame, in bytes (exactly what the connection
 *        enforces on encoded bytes)
 * @param serverTimeMillis the server's wall clock when it sent this (epoch milliseconds), or 0 when not given (wire
 *        field {@code time}, optional). Unlike {@code serverHlc}, which merges device clocks within the skew bound,
 *        it is the server's own time: a device measures its clock offset from it.
 * @param maxRowBytes the largest row the server accepts, measured as {@link io.pocketsync.api.model.Rows#rowBytes}
 *        (wire field {@code maxRow}, optional), or 0 when not given
 * @param maxAssembledBytes the largest message the server rebuilds from fragments (wire field {@code maxAssembled},
 *        optional; docs/protocol.md, "Fragments"), or 0 when it takes no fragments
 * @param deviceMark the highest server sequence the server stored from this device id, or 0 when none or not known
 *        (wire field {@code own}, optional). A device that knows of no own change that high lacks writes it made
 *        (its file was restored from a backup, or lost): it pulls its own rows back (protocol.md 3.5).
 * @param grant what the session may do in its scope (wire field {@code grant}, optional, protocol 4: {@code rw} or
 *        {@code r}); null when the server did not say (an older server). An app may grey out edits of a read-only scope
 */
public record Welcome(int protocolVersion, String sessionId, Hlc serverHlc, long headCursor, boolean resyncRequired,
        int maxBatchChanges, int maxMessageBytes, long serverTimeMillis, int maxRowBytes, int maxAssembledBytes,
        long deviceMark, @Nullable Grant grant) implements Message {
    /**
     * A welcome that does not say the grant.
     *
     * @param protocolVersion the version the session will speak
     * @param sessionId id of this session, for logs on both sides
     * @param serverHlc the server clock after merging the device's; the device merges it back
     * @param headCursor the latest server sequence of the scope at the time of the welcome
     * @param resyncRequired the device's cursor is older than the retention horizon (or newer than the head):
     *        its next pulls are served as a full snapshot
     * @param maxBatchChanges the largest PUSH the server accepts, in changes
     * @param maxMessageBytes the largest message the server accepts, in bytes
     * @param serverTimeMillis the server's wall clock when it sent this (epoch milliseconds), or 0 when not given
     * @param maxRowBytes the largest row the server accepts, or 0 when not given
     * @param maxAssembledBytes the largest message the server rebuilds from fragments, or 0
     * @param deviceMark the highest server sequence the server stored from this device id, or 0
     */
    public Welcome(int protocolVersion, String sessionId, Hlc serverHlc, long headCursor, boolean resyncRequired,
            int maxBatchChanges, int maxMessageBytes, long serverTimeMillis, int maxRowBytes, int maxAssembledBytes,
            long deviceMark) {
        this(protocolVersion, sessionId, serverHlc, headCursor, resyncRequired, maxBatchChanges, maxMessageBytes,
                serverTimeMillis, maxRowBytes, maxAssembledBytes, deviceMark, null);
    }

    /**
     * A welcome without the device's mark.
     *
     * @param protocolVersion the version the session will speak
     * @param sessionId id of this session, for logs on both sides
     * @param serverHlc the server clock after merging the device's; the device merges it back
     * @param headCursor the latest server sequence of the scope at the time of the welcome
     * @param resyncRequired the device's cursor is older than the retention horizon (or newer than the head):
     *        its next pulls are served as a full snapshot
     * @param maxBatchChanges the largest PUSH the server accepts, in changes
     * @param maxMessageBytes the largest message the server accepts, in bytes
     * @param serverTimeMillis the server's wall clock when it sent this (epoch milliseconds), or 0 when not given
     * @param maxRowBytes the largest row the server accepts, or 0 when not given
     * @param maxAssembledBytes the largest message the server rebuilds from fragments, or 0
     */
    public Welcome(int protocolVersion, String sessionId, Hlc serverHlc, long headCursor, boolean resyncRequired,
            int maxBatchChanges, int maxMessageBytes, long serverTimeMillis, int maxRowBytes, int maxAssembledBytes) {
        this(protocolVersion, sessionId, serverHlc, headCursor, resyncRequired, maxBatchChanges, maxMessageBytes,
                serverTimeMillis, maxRowBytes, maxAssembledBytes, 0, null);
    }

    /**
     * A welcome without the row and fragment limits.
     *
     * @param protocolVersion the version the session will speak
     * @param sessionId id of this session, for logs on both sides
     * @param serverHlc the server clock after merging the device's; the device merges it back
     * @param headCursor the latest server sequence of the scope at the time of the welcome
     * @param resyncRequired the device's cursor is older than the retention horizon (or newer than the head):
     *        its next pulls are served as a full snapshot
     * @param maxBatchChanges the largest PUSH the server accepts, in changes
     * @param maxMessageBytes the largest message the server accepts, in bytes
     * @param serverTimeMillis the server's wall clock when it sent this (epoch milliseconds), or 0 when not given
     */
    public Welcome(int protocolVersion, String sessionId, Hlc serverHlc, long headCursor, boolean resyncRequired,
            int maxBatchChanges, int maxMessageBytes, long serverTimeMillis) {
        this(protocolVersion, sessionId, serverHlc, headCursor, resyncRequired, maxBatchChanges, maxMessageBytes,
                serverTimeMillis, 0, 0, 0, null);
    }

    /**
     * A welcome without the server's wall clock.
     *
     * @param protocolVersion the version the session will speak
     * @param sessionId id of this session, for logs on both sides
     * @param serverHlc the server clock after merging the device's; the device merges it back
     * @param headCursor the latest server sequence of the scope at the time of the welcome
     * @param resyncRequired the device's cursor is older than the retention horizon (or newer than the head):
     *        its next pulls are served as a full snapshot
     * @param maxBatchChanges the largest PUSH the server accepts, in changes
     * @param maxMessageBytes the largest message the server accepts, in bytes
     */
    public Welcome(int protocolVersion, String sessionId, Hlc serverHlc, long headCursor, boolean resyncRequired,
            int maxBatchChanges, int maxMessageBytes) {
        this(protocolVersion, sessionId, serverHlc, headCursor, resyncRequired, maxBatchChanges, maxMessageBytes, 0, 0, 0, 0, null);
    }

    /**
     * Validates the record.
     *
     * @param protocolVersion the version the session will speak
     * @param sessionId id of this session, for logs on both sides
     * @param serverHlc the server clock after merging the device's; the device merges it back
     * @param headCursor the latest server sequence of the scope at the time of the welcome
     * @param resyncRequired the device's cursor is older than the retention horizon (or newer than the head):
     *        its next pulls are served as a full snapshot
     * @param maxBatchChanges the largest PUSH the server accepts, in changes
     * @param maxMessageBytes the largest message the server accepts, in bytes
     * @param serverTimeMillis the server's wall clock when it sent this (epoch milliseconds), or 0 when not given
     * @param maxRowBytes the largest row the server accepts, or 0 when not given; negative counts as 0
     * @param maxAssembledBytes the largest message the server rebuilds from fragments, or 0; negative counts as 0
     * @param deviceMark the highest server sequence the server stored from this device id, or 0
     * @param grant what the session may do in its scope; null when not said
     */
    public Welcome {
        maxRowBytes = Math.max(0, maxRowBytes);
        maxAssembledBytes = Math.max(0, maxAssembledBytes);
        requireNonNull(sessionId, "sessionId is null");
        requireNonNull(serverHlc, "serverHlc is null");
    }

    @Override
    public MessageType type() {
        return MessageType.WELCOME;
    }
}
