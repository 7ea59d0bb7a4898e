package io.pocketsync.server.engine;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.Identifiers;
import java.time.Duration;
import java.util.UUID;

/**
 * Limits and timings of a {@link SyncServer}. Build with {@link #builder()}; every value has a default.
 *
 * <p>Outbound back-pressure per connection (the byte budget of its queue and the {@code CATCH_UP_REQUIRED} once it
 * is spent) belongs to each transport; {@code maxQueuedBytesPerScope} bounds the sum over one scope's connections
 * on this node, and {@code maxQueuedMessagesPerSession} bounds the other direction, the messages a device may have
 * waiting for the engine.
 *
 * @param nodeId this server node's id, for session ids and logs
 * @param maxMessageBytes the largest message announced in WELCOME {@code maxBytes} on a connection whose transport
 *        does not state its own frame bound (the built-in transports do: their {@code max-message-bytes})
 * @param maxBatchChanges the most changes in one PUSH (default 1000)
 * @param maxRowBytes the largest row image, measured exactly by {@code Rows.rowBytes} (default 16 MiB; announced in
 *        WELCOME {@code maxRow})
 * @param maxIdentifierLength the longest table, column, row, change, scope or device id (at most 128)
 * @param clockSkew how far ahead of the server clock a change's HLC may be (default 5 minutes)
 * @param pageRows the most rows in one catch-up page (default 1000)
 * @param pageBytes the most estimated bytes in one catch-up page (default 1 MiB; a single larger row is still sent)
 * @param retention how long tombstones and the change log are kept (default 30 days)
 * @param pruneInterval how often the retention job runs (default 1 hour)
 * @param maxQueuedMessagesPerSession messages of one device waiting for the engine before it is told to retry (default 256)
 * @param workerThreads threads shared by all sessions for store work (default max(4, 2 * cores))
 * @param maxQueuedBytesPerScope bytes queued for the devices of one scope on this node, summed over their connections
 *        ({@link io.pocketsync.api.transport.Connection#queuedBytes()}), beyond which a device holding more than its
 *        share gets no live broadcast until it has read its queue, then {@code CATCH_UP_REQUIRED} (default 64 MiB)
 * @param loginLimits the handshake timeout, pending handshakes per address and login throttling (default
 *        {@link LoginLimits#defaults()})
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
        int workerThreads,
        long maxQueuedBytesPerScope,
        LoginLimits loginLimits) {

    /**
     * Validates the options.
     *
     * @param nodeId this server node's id; a valid scope or device id
     * @param maxMessageBytes the largest message accepted, in bytes; positive
     * @param maxBatchChanges the most changes in one PUSH; positive
     * @param maxRowBytes the largest estimated row image, in bytes; positive
     * @param maxIdentifierLength the longest identifier; 1 to {@link Identifiers#MAX_LENGTH}
     * @param clockSkew how far ahead of the server clock a change's HLC may be; not negative, not null
     * @param pageRows the most rows in one catch-up page; positive
     * @param pageBytes the most estimated bytes in one catch-up page; positive
     * @param retention how long tombstones and the change log are kept; not negative, not null
     * @param pruneInterval how often the retention job runs; positive, not null
     * @param maxQueuedMessagesPerSession messages of one device waiting for the engine; positive
     * @param workerThreads threads shared by all sessions for store work; positive
     * @param maxQueuedBytesPerScope bytes queued for one scope's devices on this node; positive
     * @param loginLimits the handshake and login limits; not null
     * @throws IllegalArgumentException when a limit is out of range or an id is invalid
     * @throws NullPointerException when a duration is null
     */
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
        positive(maxQueuedBytesPerScope, "maxQueuedBytesPerScope");
        requireNonNull(loginLimits, "loginLimits is null");
    }

    /**
     * All defaults, with a random node id.
     *
     * @return options with every default and a node id of the form {@code node-xxxxxxxx}
     */
    public static ServerOptions defaults() {
        return builder().build();
    }

    /**
     * Starts building options.
     *
     * @return a builder holding every default and a fresh random node id
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder starting from this record's values.
     *
     * @return a new builder holding this record's values, node id included
     */
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
        b.maxQueuedBytesPerScope = maxQueuedBytesPerScope;
        b.loginLimits = loginLimits;
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
        // equal to the transports' default frame bound (transport.<name>.max-message-bytes, 1 MiB): WELCOME advertises
        // a connection's own bound, and this figure only for a transport that does not state one
        private int maxMessageBytes = 1024 * 1024;
        private int maxBatchChanges = 1000;
        // a 10 MiB BLOB or text syncs; its PUSH goes in fragments (docs/protocol.md, "Fragments")
        private int maxRowBytes = 16 * 1024 * 1024;
        private int maxIdentifierLength = Identifiers.MAX_LENGTH;
        private Duration clockSkew = Duration.ofMinutes(5);
        private int pageRows = 1000;
        private long pageBytes = 1024 * 1024;
        private Duration retention = Duration.ofDays(30);
        private Duration pruneInterval = Duration.ofHours(1);
        private int maxQueuedMessagesPerSession = 256;
        private int workerThreads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        // sixteen devices' worth of the transports' default per-connection budget (4 MiB)
        private long maxQueuedBytesPerScope = 64L * 1024 * 1024;
        private LoginLimits loginLimits = LoginLimits.defaults();

        private Builder() {}

        /**
         * The node id (default {@code node-} and 8 random hex digits).
         * Checked by {@link #build()}.
         *
         * @param value this node's id, a valid scope or device id; unique among the nodes sharing a store
         * @return this builder
         */
        public Builder nodeId(String value) {
            nodeId = value;
            return this;
        }

        /**
         * The largest message accepted (default 1 MiB, the codecs' default input bound).
         * Checked by {@link #build()}.
         *
         * @param value bytes; positive, and no more than the transports' decoders accept
         * @return this builder
         */
        public Builder maxMessageBytes(int value) {
            maxMessageBytes = value;
            return this;
        }

        /**
         * The most changes in one PUSH (default 1000).
         * Checked by {@link #build()}.
         *
         * @param value a count; positive
         * @return this builder
         */
        public Builder maxBatchChanges(int value) {
            maxBatchChanges = value;
            return this;
        }

        /**
         * The largest estimated row image (default 256 KiB).
         * Checked by {@link #build()}.
         *
         * @param value bytes; positive
         * @return this builder
         */
        public Builder maxRowBytes(int value) {
            maxRowBytes = value;
            return this;
        }

        /**
         * The longest identifier accepted (default and maximum 128).
         * Checked by {@link #build()}.
         *
         * @param value characters; 1 to {@link Identifiers#MAX_LENGTH}
         * @return this builder
         */
        public Builder maxIdentifierLength(int value) {
            maxIdentifierLength = value;
            return this;
        }

        /**
         * How far ahead of the server clock a change's HLC may be (default 5 minutes).
         * Checked by {@link #build()}.
         *
         * @param value the tolerance; not negative
         * @return this builder
         */
        public Builder clockSkew(Duration value) {
            clockSkew = value;
            return this;
        }

        /**
         * The most rows in one catch-up page (default 1000).
         * Checked by {@link #build()}.
         *
         * @param value a count; positive
         * @return this builder
         */
        public Builder pageRows(int value) {
            pageRows = value;
            return this;
        }

        /**
         * The most estimated bytes in one catch-up page (default 1 MiB).
         * Checked by {@link #build()}.
         *
         * @param value bytes; positive (a single larger row is still sent)
         * @return this builder
         */
        public Builder pageBytes(long value) {
            pageBytes = value;
            return this;
        }

        /**
         * How long tombstones and the change log are kept (default 30 days).
         * Checked by {@link #build()}.
         *
         * @param value the retention; not negative
         * @return this builder
         */
        public Builder retention(Duration value) {
            retention = value;
            return this;
        }

        /**
         * How often the retention job runs (default 1 hour).
         * Checked by {@link #build()}.
         *
         * @param value the interval; positive
         * @return this builder
         */
        public Builder pruneInterval(Duration value) {
            pruneInterval = value;
            return this;
        }

        /**
         * Messages of one device that may wait for the engine before it is told to retry (default 256).
         * Checked by {@link #build()}.
         *
         * @param value a count; positive
         * @return this builder
         */
        public Builder maxQueuedMessagesPerSession(int value) {
            maxQueuedMessagesPerSession = value;
            return this;
        }

        /**
         * Threads shared by all sessions for store work (default max(4, 2 * cores)).
         * Checked by {@link #build()}.
         *
         * @param value a count; positive
         * @return this builder
         */
        public Builder workerThreads(int value) {
            workerThreads = value;
            return this;
        }

        /**
         * Bytes queued for the devices of one scope on this node before the ones holding more than their share get
         * no live broadcast until they have read their queue (default 64 MiB).
         * Checked by {@link #build()}.
         *
         * @param value bytes; positive
         * @return this builder
         */
        public Builder maxQueuedBytesPerScope(long value) {
            maxQueuedBytesPerScope = value;
            return this;
        }

        /**
         * The handshake timeout, the pending handshakes per address and the throttling of failed logins
         * (default {@link LoginLimits#defaults()}).
         *
         * @param value the limits; not null
         * @return this builder
         */
        public Builder loginLimits(LoginLimits value) {
            loginLimits = value;
            return this;
        }

        /**
         * Validates and builds the options.
         *
         * @return the options
         * @throws IllegalArgumentException when a value is out of range
         */
        public ServerOptions build() {
            return new ServerOptions(nodeId, maxMessageBytes, maxBatchChanges, maxRowBytes, maxIdentifierLength, clockSkew,
                    pageRows, pageBytes, retention, pruneInterval, maxQueuedMessagesPerSession, workerThreads,
                    maxQueuedBytesPerScope, loginLimits);
        }
    }
}
