package io.pocketsync.device.capture;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.capture.ChangeCapture;
import io.pocketsync.api.capture.ChangeCaptureProvider;
import javax.sql.DataSource;

/** Registers {@link SqliteTriggerCapture} as {@code sqlite-triggers}. */
public final class SqliteTriggerCaptureProvider implements ChangeCaptureProvider {
    /** The provider name, {@value}, as the capture setting selects it. */
    public static final String NAME = "sqlite-triggers";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ChangeCapture create(DataSource dataSource, PluginConfig config, PluginContext context) {
        return new SqliteTriggerCapture(dataSource, context.clock(), CaptureOptions.from(config));
    }
}
