package io.pocketsync.api.capture;

import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import javax.sql.DataSource;

/** Registers a {@link ChangeCapture} under a name; config namespace {@code capture.<name>}. */
public interface ChangeCaptureProvider {
    /**
     * The name, e.g. {@code sqlite-triggers}.
     *
     * @return the name configuration selects this provider by
     */
    String name();

    /**
     * Creates capture for the database behind {@code dataSource}.
     *
     * @param dataSource the device database
     * @param config the keys under {@code capture.<name>}
     * @param context engine services
     * @return a capture not installed yet
     */
    ChangeCapture create(DataSource dataSource, PluginConfig config, PluginContext context);
}
