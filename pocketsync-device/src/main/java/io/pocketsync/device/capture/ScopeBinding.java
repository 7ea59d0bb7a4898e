package io.pocketsync.device.capture;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Which scope the capture's state and tables belong to (docs/protocol.md 3.9): the scope a one-scope device binds, the
 * tables each view of a device of several scopes binds to its scope, the scope made active before a view's call, and
 * the active scope's subscribed tables reconciled with what it tracks. The per-scope state itself is
 * {@link ScopeStates}'. Not thread-safe: called under the capture's lock.
 */
final class ScopeBinding {
    private final CaptureResources resources;
    private final CaptureSchemas schemas;

    ScopeBinding(CaptureResources resources, CaptureSchemas schemas) {
        this.resources = requireNonNull(resources, "resources is null");
        this.schemas = requireNonNull(schemas, "schemas is null");
    }

    /** {@link io.pocketsync.api.capture.ChangeCapture#bindScope}: a cursor from another scope's history starts over. */
    void bindScope(String scope) {
        requireNonNull(scope, "scope is null");
        Connection c = resources.connection();
        resources.inTransaction(() -> {
            if (!scope.equals(CaptureSchemas.stateString(c, "scope")) && !ScopeStates.resume(c, scope)) {
                // a cursor and row sequences belong to one scope's history (a scope synced as one of several resumes)
                Sql.update(c, "UPDATE " + SystemTables.DEVICE_STATE + " SET cursor = 0, scope = ? WHERE id = 1", scope);
                resources.applier().forgetSequences();
            }
            return null;
        });
    }

    /** Binds {@code tables} to {@code scope} for good (see {@link ScopeStates#bind}). */
    void bindTables(String scope, List<String> tables) {
        requireNonNull(scope, "scope is null");
        Connection c = resources.connection();
        resources.inTransaction(() -> {
            resources.scopes().bind(c, scope, List.copyOf(tables));
            return null;
        });
    }

    /** Makes {@code scope} the active one, unless it is. */
    void activate(String scope) {
        if (!resources.scopes().isActive(scope)) {
            Connection c = resources.connection();
            resources.inTransaction(() -> {
                resources.scopes().activate(c, scope);
                return null;
            });
        }
    }

    /**
     * The active scope's tracked tables, recorded as subscribed; a table new to the subscription starts a table catch-up
     * ({@link TableJoin}: the server never sent it at this cursor).
     */
    List<String> subscribe() {
        List<String> tracked = new ArrayList<>(new TreeSet<>(schemas.schemas().keySet()));
        tracked.removeIf(resources.scopes()::isOther);
        Connection c = resources.connection();
        resources.inTransaction(() -> {
            SubscribedTables.reconcile(c, tracked);
            return null;
        });
        return tracked;
    }
}
