package io.pocketsync.admin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.Scope;
import io.pocketsync.server.engine.DeviceStatus;
import io.pocketsync.server.engine.ServerAdmin;
import java.util.List;

/** The admin API's device routes: list, one device, resync, revoke, allow (docs/admin-api.md). */
final class DeviceRoutes {
    private final ServerAdmin admin;
    private final AdminJson json;

    DeviceRoutes(ServerAdmin admin, AdminJson json) {
        this.admin = requireNonNull(admin, "admin is null");
        this.json = requireNonNull(json, "json is null");
    }

    void register(Router router) {
        router.add("GET", "/api/scopes/{scope}/devices", this::devices)
                .add("GET", "/api/scopes/{scope}/devices/{device}", this::device)
                .add("POST", "/api/scopes/{scope}/devices/{device}/resync", this::resync)
                .add("POST", "/api/scopes/{scope}/devices/{device}/revoke", this::revoke)
                .add("POST", "/api/scopes/{scope}/devices/{device}/allow", this::allow);
    }

    private Object devices(AdminRequest request) {
        request.accept();
        Scope scope = request.scope();
        List<DeviceStatus> devices = admin.devices(scope);
        if (devices.isEmpty() && !admin.scopes().contains(scope)) {
            throw AdminException.notFound("scope " + scope.name() + " holds no data and no device of it was seen");
        }
        ObjectNode node = json.object();
        node.put("scope", scope.name());
        node.put("head", admin.info(scope).head());
        ArrayNode list = node.putArray("devices");
        devices.forEach(device -> list.add(json.device(device)));
        return node;
    }

    private Object device(AdminRequest request) {
        request.accept();
        return json.device(known(request.scope(), request.device()));
    }

    private Object resync(AdminRequest request) {
        request.accept().body();
        Scope scope = request.scope();
        String device = known(scope, request.device()).deviceId();
        int told = admin.resync(scope, device);
        ObjectNode node = json.device(known(scope, device));
        node.put("sessionsTold", told);
        return node;
    }

    private Object revoke(AdminRequest request) {
        JsonNode body = request.accept().body("reason");
        JsonNode reason = body.get("reason");
        if (reason != null && !reason.isNull() && !reason.isTextual()) {
            throw AdminException.badRequest(ErrorCode.INVALID_FIELD, "'reason' must be a string");
        }
        Scope scope = request.scope();
        String device = known(scope, request.device()).deviceId();
        int closed = admin.revoke(scope, device, reason == null || reason.isNull() ? null : reason.asText());
        ObjectNode node = json.device(known(scope, device));
        node.put("sessionsClosed", closed);
        return node;
    }

    private Object allow(AdminRequest request) {
        request.accept().body();
        Scope scope = request.scope();
        String device = request.device();
        boolean wasRevoked = admin.allow(scope, device);
        if (!wasRevoked && admin.device(scope, device).isEmpty()) {
            throw unknown(scope, device);
        }
        ObjectNode node = json.device(known(scope, device));
        node.put("wasRevoked", wasRevoked);
        return node;
    }

    /** The device's status; 404 when the server never heard of it (a typo must not revoke nothing silently). */
    private DeviceStatus known(Scope scope, String device) {
        return admin.device(scope, device).orElseThrow(() -> unknown(scope, device));
    }

    private static AdminException unknown(Scope scope, String device) {
        return AdminException.notFound("device " + device + " is not known in scope " + scope.name()
                + ": it never connected to a node sharing this store and the store holds no change of it");
    }
}
