package io.pocketsync.api.model;

import io.pocketsync.api.Identifiers;

/**
 * A sync scope: one user's data or one shared dataset. Every change belongs to exactly one scope
 * and a device reads and writes only the scope its credentials grant.
 *
 * @param name 1–128 characters of {@code [A-Za-z0-9._:@-]}; see {@link Identifiers}
 */
public record Scope(String name) {
    /**
     * Validates the name.
     *
     * @param name 1–128 characters of {@code [A-Za-z0-9._:@-]}; see {@link Identifiers}
     */
    public Scope {
        Identifiers.requireScopeOrDeviceId(name, "scope");
    }

    /**
     * The scope named {@code name}.
     *
     * @param name the scope's name
     * @return the scope
     * @throws io.pocketsync.api.PocketSyncException with {@code IDENTIFIER_INVALID} when the name is invalid
     */
    public static Scope of(String name) {
        return new Scope(name);
    }

    @Override
    public String toString() {
        return name;
    }
}
