package io.pocketsync.server.engine.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.store.AuditEntry;
import java.time.Instant;

/** The JSON form of an audit entry, without the id the store assigns. Thread-safe. */
final class AuditJson {
    private AuditJson() {}

    static String writeAudit(long atMillis, ChangeStatus status, Change change, String winner, ErrorCode code, String reason) {
        return StoreJsonIo.write(generator -> {
            generator.writeStartObject();
            generator.writeNumberField("at", atMillis);
            generator.writeStringField("status", status.name());
            generator.writeFieldName("change");
            ChangeJson.writeChangeFields(generator, change);
            generator.writeStringField("winner", winner);
            generator.writeStringField("code", code == null ? null : code.name());
            generator.writeStringField("reason", reason);
            generator.writeEndObject();
        });
    }

    static AuditEntry readAudit(long id, String json) {
        JsonNode node = StoreJsonIo.read(json);
        return new AuditEntry(id, Instant.ofEpochMilli(node.get("at").asLong()), ChangeStatus.valueOf(node.get("status").asText()),
                ChangeJson.changeFrom(node.get("change")), node.get("winner").textValue(),
                node.get("code").isNull() ? null : ErrorCode.valueOf(node.get("code").asText()), node.get("reason").textValue());
    }
}
