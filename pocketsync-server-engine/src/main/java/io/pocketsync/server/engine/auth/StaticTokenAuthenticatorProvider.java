package io.pocketsync.server.engine.auth;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.PluginContext;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.auth.Authenticator;
import io.pocketsync.api.auth.AuthenticatorProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Registers {@link StaticTokenAuthenticator} as {@code static-token}. Keys: {@code tokens-file} (a file of
 * {@code SCOPE:TOKEN} pairs, one a line or comma-separated; blank lines and lines starting with {@code #} are
 * skipped; keeps tokens out of configuration files and command lines) and {@code tokens} (the pairs themselves,
 * comma-separated). At least one; the pairs of both are accepted when both are given. Those grant read-write;
 * {@code read-only-tokens-file} and {@code read-only-tokens}, of the same form, grant read-only.
 */
public final class StaticTokenAuthenticatorProvider implements AuthenticatorProvider {
    @Override
    public String name() {
        return "static-token";
    }

    @Override
    public Authenticator create(PluginConfig config, PluginContext context) {
        config.validateKeys(Set.of("tokens", "tokens-file", "read-only-tokens", "read-only-tokens-file"));
        String prefix = config.namespace().isEmpty() ? "" : config.namespace() + ".";
        List<String> pairs = pairs(config, "tokens");
        List<String> readOnly = pairs(config, "read-only-tokens");
        if (pairs.isEmpty() && readOnly.isEmpty()) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "'" + prefix + "tokens-file' or '" + prefix
                    + "tokens' is required (scope:token pairs)");
        }
        return StaticTokenAuthenticator.parse(String.join(",", pairs), String.join(",", readOnly));
    }

    private static List<String> pairs(PluginConfig config, String key) {
        List<String> pairs = new ArrayList<>();
        config.get(key).filter(tokens -> !tokens.isBlank()).ifPresent(pairs::add);
        config.get(key + "-file").filter(path -> !path.isBlank()).ifPresent(path -> pairs.add(readTokensFile(Path.of(path.strip()))));
        return pairs;
    }

    /**
     * The pairs of a tokens file as one comma-separated list.
     *
     * @param file the file: {@code SCOPE:TOKEN} pairs, one a line or comma-separated; {@code #} starts a comment line
     * @return the pairs, comma-separated
     * @throws PocketSyncException {@code CONFIG_INVALID} when the file cannot be read (the message never quotes it)
     */
    static String readTokensFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "cannot read the tokens file '" + file + "': "
                    + e.getClass().getSimpleName(), e);
        }
        List<String> pairs = new ArrayList<>();
        for (String line : lines) {
            String trimmed = line.strip();
            if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
                pairs.add(trimmed);
            }
        }
        if (pairs.isEmpty()) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "the tokens file '" + file + "' holds no scope:token pair");
        }
        return String.join(",", pairs);
    }
}
