package io.pocketsync.admin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pocketsync.api.Health;
import io.pocketsync.server.engine.ServerAdmin;
import io.pocketsync.server.engine.assembly.PocketSyncServer;
import java.time.Instant;
import java.util.Map;

/** {@code GET /api/info}: version, node, store, transports with their addresses and health, and the nodes seen. */
final class InfoRoute {
    private final PocketSyncServer server;
    private final String version;
    private final String storeName;
    private final AdminJson json;
    private final Instant startedAt = Instant.now();

    InfoRoute(PocketSyncServer server, String version, String storeName, AdminJson json) {
        this.server = requireNonNull(server, "server is null");
        this.version = requireNonNull(version, "version is null");
        this.storeName = requireNonNull(storeName, "storeName is null");
        this.json = requireNonNull(json, "json is null");
    }

    void register(Router router) {
        router.add("GET", "/api/info", this::info);
    }

    private Object info(AdminRequest request) {
        request.accept();
        ServerAdmin admin = server.engine().admin();
        Map<String, Health> health = server.readiness();
        ObjectNode node = json.object();
        node.put("version", version);
        node.put("node", admin.nodeId());
        node.put("adminStartedAt", startedAt.toString());
        node.put("sessions", server.engine().sessionCount());
        ObjectNode store = node.putObject("store");
        store.put("name", storeName);
        health(store, health.getOrDefault("store", Health.down("not reported")));
        ArrayNode transports = node.putArray("transports");
        server.transports().forEach((name, transport) -> {
            ObjectNode entry = transports.addObject();
            entry.put("name", name);
            entry.put("address", transport.address().map(Object::toString).orElse(null));
            health(entry, health.getOrDefault(name, Health.down("not reported")));
        });
        ArrayNode nodes = node.putArray("nodes");
        admin.nodes().forEach((id, lastSeen) -> nodes.addObject().put("node", id).put("lastSeen", lastSeen.toString())
                .put("here", id.equals(admin.nodeId())));
        return node;
    }

    private static void health(ObjectNode node, Health health) {
        node.put("up", health.up());
        node.put("detail", health.detail());
    }
}
