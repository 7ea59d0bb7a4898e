package io.pocketsync.server.engine;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.Identifiers;
import java.time.Duration;
import java.util.UUID;

/**
 * Limits and timings of a {@link SyncServer}. Build with {@link #builder()}; every value has a default.
 *
 * <p>Outbound back-pressure (the bounded per-connection queue and the {@code CATCH_UP_REQUIRED} on
 * overflow) belongs to each transport; {@code maxQueuedMessagesPerSession} bounds the other direction,
 * the messages a device may have waiting for the engine.
 *
 * @param nodeId this server node's id, for session ids and logs
 * @param maxMessageBytes the largest message accepted (announced in WELCOME; transports enforce it on bytes,
 *        the engine on the estimated size of a PUSH)
 * @param maxBatchChanges the most changes in one PUSH (default 1000)
 * @param maxRowBytes the largest row image, as estimated by {@code Rows.estimateBytes} (default 256 KiB)
 * @param maxIdentifierLength the longest table, column, row, change, scope or device id (at most 128)
 * @param clockSkew how far ahead of the server clock a change's HLC may be (default 5 minutes)
 * @param pageRows the most rows in one catch-up page (default 500)
 * @param pageBytes the most estimated bytes in one catch-up page (default 1 MiB; a single larger row is still sent)
 * @param retention how long tombstones and the change log are kept (default 30 days)
 * @param pruneInterval how often the retention job runs (default 1 hour)
 * @param maxQueuedMessagesPerSession messages of one device waiting for the engine before it is told to retry (default 256)
 * @param workerThreads threads shared by all sessions for store work (default max(4, 2 * cores))
 */
public record ServerOptions(
        String nodeId,
        int maxMessageBytes,
        int maxBatchChanges,
        int maxRowBytes,
        int maxIdentifierLength,
        Duration clockSkew,
        int pageRows,
        long pageBytes,
        Duration retention,
        Duration pruneInterval,
        int maxQueuedMessagesPerSession,
        int workerThreads) {

    public ServerOptions {
        Identifiers.requireScopeOrDeviceId(nodeId, "nodeId");
        positive(maxMessageBytes, "maxMessageBytes");
        positive(maxBatchChanges, "maxBatchChanges");
        positive(maxRowBytes, "maxRowBytes");
        positive(maxIdentifierLength, "maxIdentifierLength");
        if (maxIdentifierLength > Identifiers.MAX_LENGTH) {
            throw new IllegalArgumentException("maxIdentifierLength must be at most " + Identifiers.MAX_LENGTH);
        }
        nonNegative(requireNonNull(clockSkew, "clockSkew is null"), "clockSkew");
        positive(pageRows, "pageRows");
        positive(pageBytes, "pageBytes");
        nonNegative(requireNonNull(retention, "retention is null"), "retention");
        requireNonNull(pruneInterval, "pruneInterval is null");
        if (pruneInterval.isZero() || pruneInterval.isNegative()) {
            throw new IllegalArgumentException("pruneInterval must be positive");
        }
        positive(maxQueuedMessagesPerSession, "maxQueuedMessagesPerSession");
        positive(workerThreads, "workerThreads");
    }

    /** All defaults, with a random node id. */
    public static ServerOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this record's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.nodeId = nodeId;
        b.maxMessageBytes = maxMessageBytes;
        b.maxBatchChanges = maxBatchChanges;
        b.maxRowBytes = maxRowBytes;
        b.maxIdentifierLength = maxIdentifierLength;
        b.clockSkew = clockSkew;
        b.pageRows = pageRows;
        b.pageBytes = pageBytes;
        b.retention = retention;
        b.pruneInterval = pruneInterval;
        b.maxQueuedMessagesPerSession = maxQueuedMessagesPerSession;
        b.workerThreads = workerThreads;
        return b;
    }

    private static void positive(long value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }

    private static void nonNegative(Duration value, String name) {
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative: " + value);
        }
    }

    /** Mutable builder; not thread-safe. */
    public static final class Builder {
        private String nodeId = "node-" + UUID.randomUUID().toString().substring(0, 8);
        // equal to the codecs' default input bound (codec.<name>.max-message-bytes, 1 MiB): WELCOME advertises this
        // figure, and advertising more than the decoder accepts made devices send messages the server closed on
        private int maxMessageBytes = 1024 * 1024;
        private int maxBatchChanges = 1000;
        private int maxRowBytes = 256 * 1024;
        private int maxIdentifierLength = Identifiers.MAX_LENGTH;
        private Duration clockSkew = Duration.ofMinutes(5);
        private int pageRows = 500;
        private long pageBytes = 1024 * 1024;
        private Duration retention = Duration.ofDays(30);
        private Duration pruneInterval = Duration.ofHours(1);
        private int maxQueuedMessagesPerSession = 256;
        private int workerThreads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

        private Builder() {}

        public Builder nodeId(String value) {
            nodeId = value;
            return this;
        }

        public Builder maxMessageBytes(int value) {
            maxMessageBytes = value;
            return this;
        }

        public Builder maxBatchChanges(int value) {
            maxBatchChanges = value;
            return this;
        }

        public Builder maxRowBytes(int value) {
            maxRowBytes = value;
            return this;
        }

        public Builder maxIdentifierLength(int value) {
            maxIdentifierLength = value;
            return this;
        }

        public Builder clockSkew(Duration value) {
            clockSkew = value;
            return this;
        }

        public Builder pageRows(int value) {
            pageRows = value;
            return this;
        }

        public Builder pageBytes(long value) {
            pageBytes = value;
            return this;
        }

        public Builder retention(Duration value) {
            retention = value;
            return this;
        }

        public Builder pruneInterval(Duration value) {
            pruneInterval = value;
            return this;
        }

        public Builder maxQueuedMessagesPerSession(int value) {
            maxQueuedMessagesPerSession = value;
            return this;
        }

        public Builder workerThreads(int value) {
            workerThreads = value;
            return this;
        }

        public ServerOptions build() {
            return new ServerOptions(nodeId, maxMessageBytes, maxBatchChanges, maxRowBytes, maxIdentifierLength, clockSkew,
                    pageRows, pageBytes, retention, pruneInterval, maxQueuedMessagesPerSession, workerThreads);
        }
    }
}
