package io.pocketsync.server.engine;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.core.config.ConfigKey;
import io.pocketsync.core.config.Settings;
import java.util.List;

/**
 * The {@code server.*} configuration keys of the engine's {@link ServerOptions}: part of the key set of
 * {@link io.pocketsync.server.engine.assembly.ServerConfig}, which every way of assembling a server reads.
 */
public final class ServerOptionsConfig {
    /** The keys, with their defaults, for schemas and documentation. */
    public static final List<ConfigKey> KEYS = List.of(
            ConfigKey.string("server.node-id", "this node's id in logs, session ids and the change feed", "node-<random>"),
            ConfigKey.integer("server.max-message-bytes", "WELCOME maxBytes for a transport that states no frame bound",
                    1024 * 1024, 1024, Integer.MAX_VALUE),
            ConfigKey.integer("server.max-batch-changes", "most changes in one PUSH", 1000, 1, 100_000),
            ConfigKey.integer("server.max-row-bytes", "largest row accepted, in exact bytes (Rows.rowBytes)", 16 * 1024 * 1024, 64,
                    Integer.MAX_VALUE),
            ConfigKey.integer("server.max-identifier-length", "longest table, column, scope or device id", 128, 1, 128),
            ConfigKey.duration("server.clock-skew", "how far ahead of the server clock a change may be before CLOCK_SKEW", "5m"),
            ConfigKey.integer("server.page-rows", "most rows in one catch-up page", 1000, 1, 100_000),
            ConfigKey.integer("server.page-bytes", "most bytes in one catch-up page", 1024 * 1024, 1024, Long.MAX_VALUE),
            ConfigKey.duration("server.retention", "how long tombstones and the change log are kept (older cursors resync)", "30d"),
            ConfigKey.duration("server.prune-interval", "how often retention runs", "1h"),
            ConfigKey.integer("server.max-queued-messages", "messages of one device waiting for the engine", 256, 1, 1_000_000),
            ConfigKey.integer("server.worker-threads", "threads shared by all sessions for store work", 4, 1, 1024),
            ConfigKey.integer("server.max-queued-bytes-per-scope",
                    "bytes queued for one scope's devices on this node before the slowest get no live broadcast",
                    64L * 1024 * 1024, 64 * 1024, Long.MAX_VALUE),
            ConfigKey.duration("server.handshake-timeout", "how long a connection may take to complete HELLO before it is closed",
                    "10s"),
            ConfigKey.integer("server.max-pending-handshakes-per-address", "connections of one address that may wait for their"
                    + " WELCOME at once", 64, 1, 1_000_000),
            ConfigKey.integer("server.auth-throttle.address-failures", "failed logins of one address within the window before"
                    + " it is throttled", 20, 1, 1_000_000),
            ConfigKey.integer("server.auth-throttle.device-failures", "failed logins naming one device id within the window"
                    + " before it is throttled", 5, 1, 1_000_000),
            ConfigKey.duration("server.auth-throttle.window", "the span failed logins are counted over, and the quiet time that"
                    + " forgives them", "1m"),
            ConfigKey.duration("server.auth-throttle.initial-delay", "the first block of a throttled address or device id", "1s"),
            ConfigKey.duration("server.auth-throttle.max-delay", "the longest block; each further failure doubles it up to this",
                    "1m"));

    private ServerOptionsConfig() {}

    /**
     * The options set under {@code server.*} in {@code settings}, defaults for the rest.
     *
     * @param settings effective settings; only the {@code server.*} keys are read
     * @return the options
     * @throws io.pocketsync.api.PocketSyncException {@code CONFIG_INVALID} when a value does not parse
     * @throws IllegalArgumentException when a value parses but is out of range
     */
    public static ServerOptions from(Settings settings) {
        PluginConfig config = settings.forNamespace("server");
        ServerOptions defaults = ServerOptions.defaults();
        LoginLimits limits = defaults.loginLimits();
        return ServerOptions.builder()
                .nodeId(config.getString("node-id", defaults.nodeId()))
                .maxMessageBytes(config.getInt("max-message-bytes", defaults.maxMessageBytes()))
                .maxBatchChanges(config.getInt("max-batch-changes", defaults.maxBatchChanges()))
                .maxRowBytes(config.getInt("max-row-bytes", defaults.maxRowBytes()))
                .maxIdentifierLength(config.getInt("max-identifier-length", defaults.maxIdentifierLength()))
                .clockSkew(config.getDuration("clock-skew", defaults.clockSkew()))
                .pageRows(config.getInt("page-rows", defaults.pageRows()))
                .pageBytes(config.getLong("page-bytes", defaults.pageBytes()))
                .retention(config.getDuration("retention", defaults.retention()))
                .pruneInterval(config.getDuration("prune-interval", defaults.pruneInterval()))
                .maxQueuedMessagesPerSession(config.getInt("max-queued-messages", defaults.maxQueuedMessagesPerSession()))
                .workerThreads(config.getInt("worker-threads", defaults.workerThreads()))
                .maxQueuedBytesPerScope(config.getLong("max-queued-bytes-per-scope", defaults.maxQueuedBytesPerScope()))
                .loginLimits(LoginLimits.builder()
                        .handshakeTimeout(config.getDuration("handshake-timeout", limits.handshakeTimeout()))
                        .maxPendingHandshakesPerAddress(config.getInt("max-pending-handshakes-per-address",
                                limits.maxPendingHandshakesPerAddress()))
                        .addressFailures(config.getInt("auth-throttle.address-failures", limits.addressFailures()))
                        .deviceFailures(config.getInt("auth-throttle.device-failures", limits.deviceFailures()))
                        .failureWindow(config.getDuration("auth-throttle.window", limits.failureWindow()))
                        .initialDelay(config.getDuration("auth-throttle.initial-delay", limits.initialDelay()))
                        .maxDelay(config.getDuration("auth-throttle.max-delay", limits.maxDelay()))
                        .build())
                .build();
    }
}
