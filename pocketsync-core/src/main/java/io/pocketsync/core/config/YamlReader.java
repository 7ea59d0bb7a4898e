package io.pocketsync.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;

/**
 * The only class that touches jackson-dataformat-yaml. It is kept apart from {@link Settings} so that
 * {@code Settings} loads and verifies on a device classpath without the optional YAML library; only a
 * call that really reads YAML needs it.
 */
final class YamlReader {
    private YamlReader() {}

    static JsonNode readTree(InputStream in) throws IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(in);
    }
}
