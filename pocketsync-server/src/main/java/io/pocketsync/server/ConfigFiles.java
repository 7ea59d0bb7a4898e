package io.pocketsync.server;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/** Reads a {@code --config} file into flat namespaced keys. */
final class ConfigFiles {
    private ConfigFiles() {}

    /**
     * Reads {@code file}.
     *
     * @throws PocketSyncException with {@link ErrorCode#CONFIG_INVALID} when it cannot be read
     */
    static Map<String, String> load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "config file not found: " + file);
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        catch (IOException | IllegalArgumentException e) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "cannot read config file " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> values = new TreeMap<>();
        properties.stringPropertyNames().forEach(key -> values.put(key, properties.getProperty(key)));
        return values;
    }
}
