package io.pocketsync.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.store.AuditEntry;
import io.pocketsync.server.engine.AuditHandling;
import io.pocketsync.server.engine.DeviceStatus;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The admin API's JSON shapes (docs/admin-api.md): devices, changes, row states and audit entries. Row values are
 * written as the protocol's JSON codec writes them: integers, reals (non-finite ones as the strings {@code NaN},
 * {@code Infinity}, {@code -Infinity}), text, null, and a blob as {@code {"$b": "<base64>"}}. Instants are ISO-8601.
 */
final class AdminJson {
    private final ObjectMapper mapper;

    AdminJson(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    ObjectMapper mapper() {
        return mapper;
    }

    ObjectNode object() {
        return mapper.createObjectNode();
    }

    ArrayNode array() {
        return mapper.createArrayNode();
    }

    ObjectNode device(DeviceStatus device) {
        ObjectNode node = object();
        node.put("device", device.deviceId());
        node.put("connected", device.connected());
        node.put("node", device.node());
        node.put("session", device.sessionId());
        node.put("transport", device.transport());
        node.put("remoteAddress", device.remoteAddress());
        node.put("connectedSince", text(device.connectedSince()));
        node.put("lastSeen", text(device.lastSeen()));
        node.put("cursor", device.cursor());
        node.put("lag", device.lag());
        if (device.pushesWaiting() < 0) {
            node.putNull("pushesWaiting");
            node.putNull("changesReceived");
        }
        else {
            node.put("pushesWaiting", device.pushesWaiting());
            node.put("changesReceived", device.changesReceived());
        }
        if (device.revokedAt() == null) {
            node.putNull("revoked");
        }
        else {
            node.putObject("revoked").put("at", text(device.revokedAt())).put("reason", device.revokeReason());
        }
        node.put("resyncPending", device.resyncPending());
        return node;
    }

    ObjectNode change(Change change) {
        ObjectNode node = object();
        node.put("id", change.changeId());
        node.put("table", change.table());
        node.put("row", change.globalId());
        node.put("op", change.op().name());
        node.set("image", image(change.row()));
        ArrayNode columns = node.putArray("columns");
        change.changedColumns().forEach(columns::add);
        hlc(node, change.hlc());
        node.put("device", change.deviceId());
        return node;
    }

    ObjectNode row(RowState state) {
        ObjectNode node = object();
        node.put("table", state.table());
        node.put("row", state.globalId());
        node.put("deleted", state.deleted());
        node.set("image", image(state.row()));
        node.put("changeId", state.lastChangeId());
        node.put("device", state.version().deviceId());
        hlc(node, state.version().hlc());
        node.put("firstSequence", state.firstSequence());
        node.put("lastSequence", state.lastSequence());
        return node;
    }

    /**
     * An audit entry; for a SUPERSEDED one, {@code winner} is the row as stored now, with {@code current} telling
     * whether it is still the winning change's state or was written again since.
     */
    ObjectNode audit(AuditEntry entry, @Nullable RowState stored, @Nullable AuditHandling handled) {
        ObjectNode node = object();
        node.put("id", entry.id());
        node.put("at", text(entry.at()));
        node.put("status", entry.status().name());
        node.set("change", change(entry.change()));
        node.put("errorCode", entry.errorCode() == null ? null : entry.errorCode().name());
        node.put("reason", entry.reason());
        if (entry.winnerChangeId() == null) {
            node.putNull("winner");
        }
        else {
            ObjectNode winner = node.putObject("winner");
            winner.put("changeId", entry.winnerChangeId());
            winner.put("current", stored != null && stored.lastChangeId().equals(entry.winnerChangeId()));
            if (stored == null) {
                winner.putNull("stored");
            }
            else {
                winner.set("stored", row(stored));
            }
        }
        if (handled == null) {
            node.putNull("handled");
        }
        else {
            node.putObject("handled").put("at", text(handled.at())).put("action", handled.action())
                    .put("changeId", handled.changeId()).put("outcome", handled.outcome());
        }
        return node;
    }

    private void hlc(ObjectNode node, Hlc hlc) {
        node.put("hlc", hlc.value());
        node.put("time", text(Instant.ofEpochMilli(hlc.physicalMillis())));
    }

    private ObjectNode image(Map<String, @Nullable Object> row) {
        ObjectNode image = object();
        row.forEach((column, value) -> {
            if (value == null) {
                image.putNull(column);
            }
            else if (value instanceof Long || value instanceof Integer) {
                image.put(column, ((Number) value).longValue());
            }
            else if (value instanceof Double number) {
                if (Double.isFinite(number)) {
                    image.put(column, number);
                }
                else {
                    image.put(column, number.isNaN() ? "NaN" : number > 0 ? "Infinity" : "-Infinity");
                }
            }
            else if (value instanceof byte[] blob) {
                image.putObject(column).put("$b", Base64.getEncoder().encodeToString(blob));
            }
            else {
                image.put(column, value.toString());
            }
        });
        return image;
    }

    static @Nullable String text(@Nullable Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
