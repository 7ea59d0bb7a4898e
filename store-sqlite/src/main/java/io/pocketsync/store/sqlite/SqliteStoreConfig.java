package io.pocketsync.store.sqlite;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Settings of the SQLite store, keys under {@code store.sqlite}.
 *
 * @param path the database file ({@code path}, default {@code ./pocketsync-server.db})
 * @param busyTimeout how long a connection waits for a lock held by another connection ({@code busy-timeout}, default 5s)
 * @param readConnections connections reserved for reads ({@code read-connections}, default 4)
 * @param synchronous SQLite's {@code synchronous} setting ({@code synchronous}, default {@code FULL}, or {@code EXTRA});
 *        {@code NORMAL} is accepted for operators who trade the last commits on power loss for speed
 */
public record SqliteStoreConfig(Path path, Duration busyTimeout, int readConnections, String synchronous) {
    /** The config namespace. */
    public static final String NAMESPACE = "store.sqlite";
    /** Every key this store reads. */
    public static final List<String> KEYS = List.of("path", "busy-timeout", "read-connections", "synchronous");

    private static final List<String> SYNCHRONOUS = List.of("FULL", "EXTRA", "NORMAL");

    /**
     * Validates the settings.
     *
     * @param path the database file
     * @param busyTimeout how long a connection waits for a lock held by another connection
     * @param readConnections connections reserved for reads, 1 to 64
     * @param synchronous {@code FULL}, {@code EXTRA} or {@code NORMAL}
     */
    public SqliteStoreConfig {
        requireNonNull(path, "path is null");
        requireNonNull(busyTimeout, "busyTimeout is null");
        requireNonNull(synchronous, "synchronous is null");
        if (readConnections < 1 || readConnections > 64) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID,
                    "'" + NAMESPACE + ".read-connections' must be 1-64: " + readConnections);
        }
        if (busyTimeout.isNegative() || busyTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "'" + NAMESPACE + ".busy-timeout' out of range: " + busyTimeout);
        }
        if (!SYNCHRONOUS.contains(synchronous)) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID,
                    "'" + NAMESPACE + ".synchronous' must be one of " + SYNCHRONOUS + ": " + synchronous);
        }
    }

    /**
     * The defaults with another file.
     *
     * @param path the database file
     * @return the settings
     */
    public static SqliteStoreConfig at(Path path) {
        return new SqliteStoreConfig(path, Duration.ofSeconds(5), 4, "FULL");
    }

    /**
     * Reads and validates the settings.
     *
     * @param config the keys under {@code store.sqlite}
     * @return the settings, defaults filled in
     * @throws PocketSyncException with {@code CONFIG_INVALID} for an unknown key or a bad value
     */
    public static SqliteStoreConfig from(PluginConfig config) {
        config.validateKeys(KEYS);
        return new SqliteStoreConfig(
                Path.of(config.getString("path", "./pocketsync-server.db")),
                config.getDuration("busy-timeout", Duration.ofSeconds(5)),
                config.getInt("read-connections", 4),
                config.getString("synchronous", "FULL").trim().toUpperCase(Locale.ROOT));
    }
}
