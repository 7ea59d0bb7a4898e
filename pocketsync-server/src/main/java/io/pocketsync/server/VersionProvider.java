package io.pocketsync.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/**
 * The version printed by {@code pocketsync --version}: read from {@code version.properties}, which the
 * build fills with the project version, falling back to the jar manifest.
 *
 * <p>Thread-safe; stateless.
 */
public final class VersionProvider implements CommandLine.IVersionProvider {
    private static final String RESOURCE = "/io/pocketsync/server/version.properties";

    @Override
    public String[] getVersion() {
        return new String[] {"pocketsync " + version(), "Java " + System.getProperty("java.version")};
    }

    /**
     * The PocketSync version.
     *
     * @return the version string, or {@code unknown} when neither source has one
     */
    public static String version() {
        try (InputStream in = VersionProvider.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                String version = properties.getProperty("version", "");
                // An unfiltered copy (e.g. run from an IDE without resource filtering) still says ${...}.
                if (!version.isBlank() && !version.startsWith("${")) {
                    return version;
                }
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String fromManifest = VersionProvider.class.getPackage().getImplementationVersion();
        return fromManifest == null ? "unknown" : fromManifest;
    }
}
