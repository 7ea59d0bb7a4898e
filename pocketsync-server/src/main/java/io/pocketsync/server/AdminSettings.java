package io.pocketsync.server;

import static java.util.Objects.requireNonNull;

import io.pocketsync.admin.AdminOptions;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * The {@code admin.*} keys of the {@code pocketsync server} command: the admin API and web console (docs/admin-api.md),
 * off unless {@code admin.port} is set, on 127.0.0.1 unless {@code admin.bind} says otherwise, guarded by a token read
 * from {@code admin.token-file} or, without one, from the environment variable {@value #TOKEN_VARIABLE}.
 */
final class AdminSettings {
    /** Key of the admin API's port; unset for no admin API. */
    static final String PORT = "admin.port";
    /** Key of the address the admin API listens on (default {@code 127.0.0.1}). */
    static final String BIND = "admin.bind";
    /** Key of the file holding the admin token (its first line, trimmed). */
    static final String TOKEN_FILE = "admin.token-file";
    /** The environment variable holding the admin token when no token file is configured. */
    static final String TOKEN_VARIABLE = "POCKETSYNC_ADMIN_TOKEN";

    private AdminSettings() {}

    /** Checks the values that need no file or environment: the port and the bind address's form. */
    static void validate(ServerSettings settings) {
        port(settings);
    }

    static Optional<Integer> port(ServerSettings settings) {
        return SettingValues.port(PORT, settings.get(PORT));
    }

    static String bind(ServerSettings settings) {
        return settings.get(BIND).map(String::trim).filter(bind -> !bind.isEmpty()).orElse(ServerSettings.DEFAULT_HOST);
    }

    /**
     * The admin API's options, when {@code admin.port} is set.
     *
     * @param environment the process environment ({@code System::getenv})
     * @throws PocketSyncException {@code CONFIG_INVALID} when the port is set and no usable token is configured, the
     *         token file cannot be read, or the bind address does not resolve
     */
    static Optional<AdminOptions> options(ServerSettings settings, Function<String, String> environment) {
        requireNonNull(environment, "environment is null");
        Optional<Integer> port = port(settings);
        if (port.isEmpty()) {
            return Optional.empty();
        }
        String token = token(settings, environment);
        InetAddress bind;
        try {
            bind = InetAddress.getByName(bind(settings));
        }
        catch (UnknownHostException e) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "'" + BIND + "' is not an address of this host: "
                    + bind(settings));
        }
        return Optional.of(new AdminOptions(bind, port.get(), token));
    }

    private static String token(ServerSettings settings, Function<String, String> environment) {
        Optional<Path> file = settings.get(TOKEN_FILE).map(String::trim).filter(path -> !path.isEmpty()).map(Path::of);
        if (file.isPresent()) {
            try {
                String text = Files.readString(file.get()).lines().findFirst().orElse("").trim();
                if (text.isEmpty()) {
                    throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "the admin token file " + file.get() + " is empty");
                }
                return text;
            }
            catch (IOException e) {
                throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "cannot read the admin token file " + file.get()
                        + ": " + e.getClass().getSimpleName());
            }
        }
        String variable = environment.apply(TOKEN_VARIABLE);
        if (variable == null || variable.isBlank()) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "the admin API (--admin-port) needs a token: give"
                    + " --admin-token-file FILE or set " + TOKEN_VARIABLE);
        }
        return variable.trim();
    }
}
