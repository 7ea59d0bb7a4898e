package io.pocketsync.admin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.store.AuditEntry;
import io.pocketsync.api.store.ScopeInfo;
import io.pocketsync.server.engine.AuditHandling;
import io.pocketsync.server.engine.ServerAdmin;
import java.util.Map;
import java.util.Set;

/** The admin API's scope routes: scopes, one scope, recent changes, the audit log, rejected changes (docs/admin-api.md). */
final class ScopeRoutes {
    private static final Set<String> STATUSES = Set.of(ChangeStatus.SUPERSEDED.name(), ChangeStatus.REJECTED.name());

    private final ServerAdmin admin;
    private final AdminJson json;
    private final AuditQuery audit;

    ScopeRoutes(ServerAdmin admin, AdminJson json) {
        this.admin = requireNonNull(admin, "admin is null");
        this.json = requireNonNull(json, "json is null");
        this.audit = new AuditQuery(admin);
    }

    void register(Router router) {
        router.add("GET", "/api/scopes", this::scopes)
                .add("GET", "/api/scopes/{scope}", this::scope)
                .add("GET", "/api/scopes/{scope}/changes", this::changes)
                .add("GET", "/api/scopes/{scope}/audit", this::audit)
                .add("GET", "/api/scopes/{scope}/rejected", this::rejected)
                .add("POST", "/api/scopes/{scope}/rejected/{id}/retry", this::retry)
                .add("POST", "/api/scopes/{scope}/rejected/{id}/drop", this::drop);
    }

    private Object scopes(AdminRequest request) {
        request.accept();
        Map<Scope, Integer> live = admin.liveSessions();
        ObjectNode node = json.object();
        ArrayNode list = node.putArray("scopes");
        for (Scope scope : admin.scopes()) {
            list.add(summary(scope, live.getOrDefault(scope, 0)));
        }
        return node;
    }

    private Object scope(AdminRequest request) {
        request.accept();
        Scope scope = existing(request.scope());
        return summary(scope, admin.liveSessions().getOrDefault(scope, 0));
    }

    private ObjectNode summary(Scope scope, int live) {
        ScopeInfo info = admin.info(scope);
        Map<String, Long> counts = admin.rowCounts(scope);
        ObjectNode node = json.object();
        node.put("scope", scope.name());
        node.put("head", info.head());
        node.put("horizon", info.horizon());
        node.put("rows", counts.values().stream().mapToLong(Long::longValue).sum());
        ObjectNode tables = node.putObject("tables");
        counts.forEach(tables::put);
        node.put("sessionsHere", live);
        return node;
    }

    private Object changes(AdminRequest request) {
        request.accept("limit");
        Scope scope = existing(request.scope());
        int limit = (int) request.number("limit", 50, 1, 1000);
        ObjectNode node = json.object();
        node.put("scope", scope.name());
        node.put("head", admin.info(scope).head());
        ArrayNode rows = node.putArray("rows");
        admin.recentRows(scope, limit).forEach(row -> rows.add(json.row(row)));
        return node;
    }

    private Object audit(AdminRequest request) {
        request.accept("status", "table", "row", "device", "since", "until", "after", "before", "order", "limit");
        Scope scope = existing(request.scope());
        AuditQuery.Filter filter = new AuditQuery.Filter(request.choice("status", STATUSES), request.text("table"),
                request.text("row"), request.text("device"), request.instant("since"), request.instant("until"));
        String order = request.choice("order", Set.of("OLDEST", "NEWEST"));
        long after = request.number("after", 0, 0, Long.MAX_VALUE);
        long before = request.number("before", 0, 0, Long.MAX_VALUE);
        int limit = (int) request.number("limit", 100, 1, 500);
        boolean newest = order == null ? before > 0 : order.equals("NEWEST");
        if ((newest && after > 0) || (!newest && before > 0)) {
            throw AdminException.badRequest(ErrorCode.INVALID_FIELD, "'after' goes with order=oldest, 'before' with order=newest");
        }
        AuditQuery.Page page = newest ? audit.newestFirst(scope, filter, before, limit) : audit.oldestFirst(scope, filter, after, limit);
        return auditPage(scope, page, newest ? "before" : "after");
    }

    private Object rejected(AdminRequest request) {
        request.accept("limit", "before");
        Scope scope = existing(request.scope());
        Map<Long, AuditHandling> handled = admin.handled(scope);
        AuditQuery.Filter rejected = new AuditQuery.Filter(ChangeStatus.REJECTED.name(), null, null, null, null, null);
        AuditQuery.Page page = audit.newestFirst(scope, entry -> rejected.test(entry) && !handled.containsKey(entry.id()),
                request.number("before", 0, 0, Long.MAX_VALUE), (int) request.number("limit", 100, 1, 500));
        return auditPage(scope, page, "before");
    }

    private ObjectNode auditPage(Scope scope, AuditQuery.Page page, String direction) {
        Map<Long, AuditHandling> handled = admin.handled(scope);
        ObjectNode node = json.object();
        node.put("scope", scope.name());
        ArrayNode entries = node.putArray("entries");
        for (AuditEntry entry : page.entries()) {
            RowState stored = entry.status() == ChangeStatus.SUPERSEDED
                    ? admin.row(scope, entry.change().table(), entry.change().globalId()).orElse(null) : null;
            entries.add(json.audit(entry, stored, handled.get(entry.id())));
        }
        if (page.next() == null) {
            node.putNull("next");
        }
        else {
            node.putObject("next").put(direction, page.next());
        }
        return node;
    }

    private Object retry(AdminRequest request) {
        request.accept().body();
        return handled(request.scope(), request.pathId("id"), true);
    }

    private Object drop(AdminRequest request) {
        request.accept().body();
        return handled(request.scope(), request.pathId("id"), false);
    }

    private ObjectNode handled(Scope scope, long id, boolean retry) {
        AuditHandling done;
        try {
            done = retry ? admin.retry(scope, id) : admin.drop(scope, id);
        }
        catch (PocketSyncException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                throw AdminException.notFound(e.getMessage());
            }
            if (e.code() == ErrorCode.INVALID_FIELD) {
                throw new AdminException(409, e.code(), e.getMessage());
            }
            throw e;
        }
        ObjectNode node = json.object();
        node.put("id", id);
        node.put("at", AdminJson.text(done.at()));
        node.put("action", done.action());
        node.put("changeId", done.changeId());
        node.put("outcome", done.outcome());
        return node;
    }

    /** The scope, when it holds data or a device of it was seen; else 404. */
    private Scope existing(Scope scope) {
        if (admin.scopes().contains(scope) || admin.liveSessions().containsKey(scope) || !admin.devices(scope).isEmpty()) {
            return scope;
        }
        throw AdminException.notFound("scope " + scope.name() + " holds no data and no device of it was seen");
    }
}
