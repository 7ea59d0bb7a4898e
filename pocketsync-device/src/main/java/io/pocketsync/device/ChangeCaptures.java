package io.pocketsync.device;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.capture.ChangeCapture;
import io.pocketsync.api.capture.ChangeCaptureProvider;
import io.pocketsync.core.config.DefaultPluginContext;
import io.pocketsync.core.config.Settings;
import io.pocketsync.core.discovery.ProviderRegistry;
import io.pocketsync.core.discovery.Providers;
import java.time.Clock;
import javax.sql.DataSource;

/**
 * Creates the {@link ChangeCapture} a device builder names, through {@link Providers discovery}: the provider
 * whose {@code name()} equals the name, configured under {@code capture.<name>}. An unknown name fails with
 * {@code PROVIDER_NOT_FOUND} listing the names available; two providers of one name fail with
 * {@code PROVIDER_AMBIGUOUS}. Stateless.
 */
final class ChangeCaptures {
    /**
     * The node id a capture's context carries: the device id is not known yet, the capture itself keeps it
     * ({@code ChangeCapture#state()}).
     */
    static final String NODE_ID = "device";

    private ChangeCaptures() {}

    static ChangeCapture create(String name, PluginConfig config, DataSource dataSource, Clock clock) {
        return create(Providers.changeCaptures(), name, config, dataSource, clock);
    }

    static ChangeCapture create(ProviderRegistry<ChangeCaptureProvider> registry, String name, PluginConfig config,
            DataSource dataSource, Clock clock) {
        requireNonNull(name, "name is null");
        requireNonNull(config, "config is null");
        requireNonNull(dataSource, "dataSource is null");
        ChangeCaptureProvider provider = registry.get(name);
        PluginConfig scoped = config.namespace().isEmpty() ? PluginConfig.of("capture." + provider.name(), config.asMap()) : config;
        PluginContext context = new DefaultPluginContext(NODE_ID, clock, Providers.codecs(), Settings.empty());
        return requireNonNull(provider.create(dataSource, scoped, context), () -> provider.getClass().getName() + ".create returned null");
    }
}
