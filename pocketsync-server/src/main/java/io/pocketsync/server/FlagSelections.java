package io.pocketsync.server;

import static io.pocketsync.server.ServerSettings.AUTH;
import static io.pocketsync.server.ServerSettings.HMAC_SECRET;
import static io.pocketsync.server.ServerSettings.HMAC_SECRET_FILE;
import static io.pocketsync.server.ServerSettings.MQTT_URI;
import static io.pocketsync.server.ServerSettings.TOKENS;
import static io.pocketsync.server.ServerSettings.TOKENS_FILE;
import static io.pocketsync.server.ServerSettings.TRANSPORTS;

import io.pocketsync.core.config.Settings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Flags that turn a plugin on also name it: {@code --token-file}, {@code --token} and {@code POCKETSYNC_TOKENS} add
 * {@code static-token} to {@code server.auth}, {@code --hmac-secret-file} and {@code POCKETSYNC_HMAC_SECRET} add
 * {@code hmac}, {@code --jwt-secret-file}, {@code POCKETSYNC_JWT_SECRET}, {@code --jwks-file} and {@code --jwks-url} add
 * {@code jwt}, {@code --mqtt} adds {@code mqtt} to {@code server.transports}.
 */
final class FlagSelections {
    /** A flag's key → the selection key it adds a provider name to, and that name. */
    private static final Map<String, Map.Entry<String, String>> FLAG_SELECTS = flagSelects();

    private FlagSelections() {}

    /**
     * The selection keys the flags change, each with the names the flags add to its merged value.
     *
     * @param merged defaults, file and flags merged
     * @param fromFlags the keys the command-line flags set
     * @return selection key to its new value; a mutable map the caller may add to
     */
    static Map<String, String> selected(Settings merged, Map<String, String> fromFlags) {
        Map<String, String> selected = new LinkedHashMap<>();
        for (Map.Entry<String, Map.Entry<String, String>> select : FLAG_SELECTS.entrySet()) {
            if (fromFlags.containsKey(select.getKey())) {
                String selectionKey = select.getValue().getKey();
                String current = selected.containsKey(selectionKey) ? selected.get(selectionKey)
                        : merged.get(selectionKey).orElse("");
                selected.put(selectionKey, withName(current, select.getValue().getValue()));
            }
        }
        return selected;
    }

    private static Map<String, Map.Entry<String, String>> flagSelects() {
        // Ordered: authenticators are tried in the order they are named.
        Map<String, Map.Entry<String, String>> selects = new LinkedHashMap<>();
        selects.put(TOKENS_FILE, Map.entry(AUTH, "static-token"));
        selects.put(TOKENS, Map.entry(AUTH, "static-token"));
        selects.put(HMAC_SECRET_FILE, Map.entry(AUTH, "hmac"));
        selects.put(HMAC_SECRET, Map.entry(AUTH, "hmac"));
        selects.put(ServerSettings.JWT_SECRET_FILE, Map.entry(AUTH, "jwt"));
        selects.put(ServerSettings.JWT_SECRET, Map.entry(AUTH, "jwt"));
        selects.put(ServerSettings.JWKS_FILE, Map.entry(AUTH, "jwt"));
        selects.put(ServerSettings.JWKS_URL, Map.entry(AUTH, "jwt"));
        selects.put(MQTT_URI, Map.entry(TRANSPORTS, "mqtt"));
        return selects;
    }

    private static String withName(String names, String name) {
        List<String> list = new ArrayList<>();
        for (String part : names.split(",")) {
            if (!part.isBlank()) {
                list.add(part.trim());
            }
        }
        if (!list.contains(name)) {
            list.add(name);
        }
        return String.join(",", list);
    }
}
