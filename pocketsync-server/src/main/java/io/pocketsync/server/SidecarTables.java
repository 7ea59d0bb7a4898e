package io.pocketsync.server;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.device.PocketSyncDeviceBuilder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The sidecar's tables bound to their scopes ({@code --table NAME[@SCOPE]}, {@code device.tables}): {@code NAME@SCOPE}
 * syncs in SCOPE, a plain {@code NAME} in {@code --scope}. A device of several scopes keeps one connection with a
 * session per scope (docs/protocol.md 3.9). The table name ends at the first {@code @}: scope names may hold one
 * ({@code todos@alice@example.com} is table {@code todos} in scope {@code alice@example.com}).
 *
 * <p>Immutable.
 */
final class SidecarTables {
    private final Map<String, String> scopeOf;
    private final List<String> scopes;

    private SidecarTables(Map<String, String> scopeOf, List<String> scopes) {
        this.scopeOf = scopeOf;
        this.scopes = scopes;
    }

    /**
     * @param tables the {@code --table} values
     * @param defaultScope {@code --scope}, for the plain names; may be null when every table names its scope
     * @throws PocketSyncException {@code CONFIG_INVALID} for an empty name or scope, a plain name without {@code --scope},
     *         or one table named in two scopes
     */
    static SidecarTables parse(List<String> tables, @Nullable String defaultScope) {
        Map<String, String> scopeOf = new LinkedHashMap<>();
        for (String value : tables) {
            int at = value.indexOf('@');
            String name = at < 0 ? value : value.substring(0, at);
            String scope = at < 0 ? defaultScope : value.substring(at + 1);
            if (name.isEmpty() || (scope != null && scope.isEmpty())) {
                throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "--table '" + value + "': expected NAME or NAME@SCOPE");
            }
            if (scope == null) {
                throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "--table " + name + " names no scope: give --scope, or"
                        + " bind it with " + name + "@SCOPE");
            }
            String before = scopeOf.putIfAbsent(name, scope);
            if (before != null && !before.equals(scope)) {
                throw new PocketSyncException(ErrorCode.CONFIG_INVALID, "--table " + name + " is given in scope " + before
                        + " and in scope " + scope + ": a table syncs in one scope");
            }
        }
        LinkedHashSet<String> scopes = new LinkedHashSet<>();
        if (defaultScope != null && scopeOf.containsValue(defaultScope)) {
            scopes.add(defaultScope); // --scope's session is the first, as for a device of one scope
        }
        scopes.addAll(scopeOf.values());
        return new SidecarTables(Collections.unmodifiableMap(scopeOf), List.copyOf(scopes));
    }

    /** The table names, without their scopes, in the order given. */
    List<String> names() {
        return List.copyOf(scopeOf.keySet());
    }

    /** The scopes the tables name, {@code --scope} first when a table syncs in it. */
    List<String> scopes() {
        return scopes;
    }

    /** The scope {@code table} syncs in. */
    String scopeOf(String table) {
        return scopeOf.get(table);
    }

    /** A device builder with these tables bound to their scopes; the first of {@link #scopes()} is the device's first. */
    PocketSyncDeviceBuilder applyTo(PocketSyncDeviceBuilder builder) {
        if (!scopes.isEmpty()) {
            builder.scope(scopes.get(0));
        }
        List<String> first = new ArrayList<>();
        scopeOf.forEach((table, scope) -> {
            if (scope.equals(scopes.get(0))) {
                first.add(table);
            }
            else {
                builder.table(table, scope);
            }
        });
        if (!first.isEmpty()) {
            builder.tables(first);
        }
        return builder;
    }

    @Override
    public String toString() {
        List<String> shown = new ArrayList<>();
        scopeOf.forEach((table, scope) -> shown.add(table + "@" + scope));
        return shown.toString();
    }
}
