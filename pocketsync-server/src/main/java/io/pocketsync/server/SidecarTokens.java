package io.pocketsync.server;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.Identifiers;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.device.PocketSyncDeviceBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Which token each scope's {@code HELLO} carries in the sidecar: the scope's own ({@code --token SCOPE=TOKEN},
 * {@code --token-file SCOPE=FILE}, {@code device.token.SCOPE}: a static token opens one scope), else the one token for
 * every scope ({@code --token TOKEN}, {@code --token-file FILE}, {@code POCKETSYNC_TOKEN}, {@code device.token}: a JWT
 * whose grant lists them all). A device of several scopes with tokens of its own for some scopes and no token for every
 * scope is refused at start, naming the scope without one; so is a token for a scope no table syncs in.
 *
 * <p>Immutable; the suppliers are asked before each HELLO of their scope.
 */
final class SidecarTokens {
    private final @Nullable Supplier<String> every;
    private final Map<String, Supplier<String>> perScope;

    private SidecarTokens(@Nullable Supplier<String> every, Map<String, Supplier<String>> perScope) {
        this.every = every;
        this.perScope = perScope;
    }

    /**
     * @param every the token for every scope, or null when none is given (then a device without tokens of its own per
     *        scope is anonymous)
     * @param perScope each scope's own token
     * @param scopes the scopes the device's tables sync in
     * @throws PocketSyncException {@code CONFIG_INVALID} when a scope's token names a scope no table syncs in, or when
     *         some scopes have tokens of their own and another has none and there is no token for every scope
     */
    static SidecarTokens select(@Nullable Supplier<String> every, Map<String, Supplier<String>> perScope, List<String> scopes) {
        requireNonNull(perScope, "perScope is null");
        for (String scope : perScope.keySet()) {
            if (!scopes.contains(scope)) {
                throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "a token for scope " + scope + ", but no --table syncs"
                        + " in it (the tables' scopes: " + String.join(", ", scopes) + ")");
            }
        }
        if (every == null && !perScope.isEmpty()) {
            for (String scope : scopes) {
                if (!perScope.containsKey(scope)) {
                    throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "scope " + scope + " has no token: give --token "
                            + scope + "=TOKEN (or --token-file " + scope + "=FILE, " + DeviceSettings.TOKEN + "." + scope
                            + "), or one --token for every scope");
                }
            }
        }
        return new SidecarTokens(every, Map.copyOf(new LinkedHashMap<>(perScope)));
    }

    /**
     * Splits a {@code --token} or {@code --token-file} value into its scope and the rest: {@code SCOPE=VALUE} when the
     * part before the first {@code =} is a scope name, else the plain value for every scope (a null key).
     */
    static Map.Entry<@Nullable String, String> split(String value) {
        int equals = value.indexOf('=');
        if (equals > 0 && equals < value.length() - 1 && Identifiers.isScopeOrDeviceId(value.substring(0, equals))) {
            return new java.util.AbstractMap.SimpleImmutableEntry<>(value.substring(0, equals), value.substring(equals + 1));
        }
        return new java.util.AbstractMap.SimpleImmutableEntry<>(null, value);
    }

    /** The token {@code scope}'s HELLO carries now; empty for an anonymous device. */
    String tokenOf(String scope) {
        Supplier<String> own = perScope.get(scope);
        return own != null ? own.get() : every != null ? every.get() : "";
    }

    /** Gives {@code builder} the tokens: the one for every scope and each scope's own. */
    PocketSyncDeviceBuilder applyTo(PocketSyncDeviceBuilder builder) {
        if (every != null) {
            builder.tokenSupplier(every);
        }
        perScope.forEach(builder::tokenSupplier);
        return builder;
    }
}
