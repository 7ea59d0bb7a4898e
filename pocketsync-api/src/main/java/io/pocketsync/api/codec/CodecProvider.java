package io.pocketsync.api.codec;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;

/**
 * Registers a {@link Codec} under a name; found through {@link java.util.ServiceLoader}.
 * Config keys (namespace {@code codec.<name>}): {@code max-message-bytes}, {@code max-depth}.
 */
public interface CodecProvider {
    /**
     * The name the codec is selected by.
     *
     * @return the name, e.g. {@code json}
     */
    String name();

    /**
     * Creates a codec.
     *
     * @param config the keys under {@code codec.<name>}
     * @param context engine services
     * @return the codec
     */
    Codec create(PluginConfig config, PluginContext context);
}
