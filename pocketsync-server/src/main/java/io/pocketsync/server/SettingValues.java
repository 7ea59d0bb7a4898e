package io.pocketsync.server;

import static io.pocketsync.server.ServerSettings.HMAC_SECRET_FILE;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PocketSyncException;
import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * Typed readings of {@link ServerSettings} values, which fail with {@link ErrorCode#CONFIG_INVALID} naming the key,
 * and the masked rendering of the settings that is safe to log.
 */
final class SettingValues {
    private SettingValues() {}

    static Optional<Integer> port(String key, Optional<String> value) {
        Optional<String> raw = value.filter(v -> !v.isBlank());
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        try {
            int port = Integer.parseInt(raw.get().trim());
            if (port < 0 || port > 65535) {
                throw invalid(key, raw.get(), "a port number 0-65535");
            }
            return Optional.of(port);
        }
        catch (NumberFormatException e) {
            throw invalid(key, raw.get(), "a port number 0-65535");
        }
    }

    static Optional<URI> uri(String key, Optional<String> value) {
        Optional<String> raw = value.filter(v -> !v.isBlank());
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(raw.get().trim());
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw invalid(key, "(redacted)", "a URI like scheme://host:port");
            }
            return Optional.of(uri);
        }
        catch (java.net.URISyntaxException e) {
            // The URI may carry a password: name the key, not the value.
            throw invalid(key, "(redacted)", "a URI like scheme://host:port");
        }
    }

    private static PocketSyncException invalid(String key, String value, String expected) {
        return new PocketSyncException(ErrorCode.CONFIG_INVALID,
                "invalid value '" + value + "' for '" + key + "': expected " + expected);
    }

    /** The settings with secrets and URI user info masked, for {@link ServerSettings#toString()}. */
    static String render(Map<String, String> values) {
        StringBuilder out = new StringBuilder("{");
        values.forEach((key, value) -> out.append(key).append('=')
                .append(PluginConfig.isSecretKey(key) || key.endsWith(".uri") ? mask(key, value) : value).append(", "));
        if (!values.isEmpty()) {
            out.setLength(out.length() - 2);
        }
        return out.append('}').toString();
    }

    private static String mask(String key, String value) {
        if (key.endsWith(".uri")) {
            // Keep the host visible, hide user info (redis://:password@host).
            return value.replaceAll("//[^@/]*@", "//****@");
        }
        // the files' paths are not secret, their content is
        return key.equals(HMAC_SECRET_FILE) || key.equals(ServerSettings.TOKENS_FILE) || key.equals(ServerSettings.JWT_SECRET_FILE)
                || key.equals(ServerSettings.JWKS_FILE) ? value : "****";
    }
}
