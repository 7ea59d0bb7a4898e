package io.pocketsync.api.capture;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import javax.sql.DataSource;

/** Registers a {@link ChangeCapture} under a name; config namespace {@code capture.<name>}. */
public interface ChangeCaptureProvider {
    /** The name, e.g. {@code sqlite-triggers}. */
    String name();

    /** Creates capture for the database behind {@code dataSource}. */
    ChangeCapture create(DataSource dataSource, PluginConfig config, PluginContext context);
}
