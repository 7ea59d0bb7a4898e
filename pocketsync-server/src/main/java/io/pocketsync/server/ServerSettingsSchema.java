package io.pocketsync.server;

import static io.pocketsync.server.ServerSettings.DEFAULT_HOST;
import static io.pocketsync.server.ServerSettings.DEFAULT_PORT;
import static io.pocketsync.server.ServerSettings.DEFAULT_REDIS_PREFIX;
import static io.pocketsync.server.ServerSettings.DEFAULT_SQLITE_PATH;
import static io.pocketsync.server.ServerSettings.HMAC_SECRET;
import static io.pocketsync.server.ServerSettings.HMAC_SECRET_FILE;
import static io.pocketsync.server.ServerSettings.HOST;
import static io.pocketsync.server.ServerSettings.METRICS_BIND;
import static io.pocketsync.server.ServerSettings.METRICS_PORT;
import static io.pocketsync.server.ServerSettings.MQTT_URI;
import static io.pocketsync.server.ServerSettings.PORT;
import static io.pocketsync.server.ServerSettings.REDIS_PREFIX;
import static io.pocketsync.server.ServerSettings.REDIS_URI;
import static io.pocketsync.server.ServerSettings.SQLITE_PATH;
import static io.pocketsync.server.ServerSettings.TOKENS;
import static io.pocketsync.server.ServerSettings.TOKENS_FILE;

import io.pocketsync.core.config.ConfigKey;
import io.pocketsync.core.config.ConfigSchema;
import io.pocketsync.server.engine.assembly.ServerConfig;
import io.pocketsync.server.engine.assembly.ServerPlugins;

/** The key set {@link ServerSettings} is checked against: the server's keys plus the command's own. */
final class ServerSettingsSchema {
    private ServerSettingsSchema() {}

    /** See {@link ServerSettings#schema()}. */
    static ConfigSchema schema() {
        return ServerConfig.schema(ServerPlugins.discovered()).register(
                ConfigKey.string(HOST, "WebSocket bind address", DEFAULT_HOST),
                ConfigKey.integer(PORT, "WebSocket port", DEFAULT_PORT, 0, 65535),
                ConfigKey.string(MQTT_URI, "MQTT broker to also serve devices through", null),
                ConfigKey.string(SQLITE_PATH, "SQLite store file", DEFAULT_SQLITE_PATH),
                ConfigKey.string(REDIS_URI, "Redis URI of the redis store", null),
                ConfigKey.string(REDIS_PREFIX, "prefix of every Redis key", DEFAULT_REDIS_PREFIX),
                ConfigKey.string(TOKENS, "static tokens: comma-separated SCOPE:TOKEN pairs", null),
                ConfigKey.string(TOKENS_FILE, "file of static tokens: SCOPE:TOKEN pairs, one a line", null),
                ConfigKey.string(HMAC_SECRET_FILE, "file holding the HMAC token secret", null),
                ConfigKey.string(HMAC_SECRET, "the HMAC token secret (prefer the file or POCKETSYNC_HMAC_SECRET)", null),
                new ConfigKey(METRICS_PORT, "port of /health/live, /health/ready and /metrics", null, ServerSettingsSchema::requirePort),
                ConfigKey.string(METRICS_BIND, "address the metrics and health endpoint listens on", DEFAULT_HOST),
                new ConfigKey(AdminSettings.PORT, "port of the admin API and web console; unset for none", null,
                        ServerSettingsSchema::requirePort),
                ConfigKey.string(AdminSettings.BIND, "address the admin API listens on", DEFAULT_HOST),
                ConfigKey.string(AdminSettings.TOKEN_FILE, "file holding the admin token (else env "
                        + AdminSettings.TOKEN_VARIABLE + ")", null));
    }

    private static void requirePort(String value) {
        try {
            int port = Integer.parseInt(value.trim());
            if (port >= 0 && port <= 65535) {
                return;
            }
        }
        catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("a port number 0-65535");
    }
}
