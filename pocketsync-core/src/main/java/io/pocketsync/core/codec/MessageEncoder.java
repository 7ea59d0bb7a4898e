package io.pocketsync.core.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.ChangeResult;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.Checksums;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.Ping;
import io.pocketsync.api.protocol.Pong;
import io.pocketsync.api.protocol.Pull;
import io.pocketsync.api.protocol.Push;
import io.pocketsync.api.protocol.Scoped;
import io.pocketsync.api.protocol.Verify;
import io.pocketsync.api.protocol.Welcome;
import java.io.IOException;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Writes a protocol message to a streaming generator, following {@code docs/protocol.md} section 2.
 * Shared by the JSON and CBOR codecs; the only difference is how a blob is written. Stateless; thread-safe.
 */
final class MessageEncoder {
    private final boolean blobsAsObjects;

    /** @param blobsAsObjects write blobs as {@code {"$b": base64}} (JSON) instead of native byte strings (CBOR) */
    MessageEncoder(boolean blobsAsObjects) {
        this.blobsAsObjects = blobsAsObjects;
    }

    void write(JsonGenerator out, Message tagged) throws IOException {
        out.writeStartObject();
        out.writeStringField("type", tagged.type().name());
        out.writeNumberField("v", tagged.protocolVersion());
        Message message = tagged;
        if (tagged instanceof Scoped scoped) {
            // protocol 3: the scope whose session the message belongs to (docs/protocol.md 3.9)
            out.writeStringField("scope", scoped.scope());
            message = scoped.message();
        }
        if (message instanceof Hello hello) {
            out.writeStringField("device", hello.deviceId());
            out.writeStringField("scope", hello.scope());
            out.writeStringField("token", hello.token());
            out.writeNumberField("cursor", hello.cursor());
            out.writeNumberField("hlc", hello.deviceHlc().value());
            if (hello.maxAssembledBytes() > 0) {
                out.writeNumberField("maxAssembled", hello.maxAssembledBytes());
            }
            if (hello.tables() != null) {
                // protocol 2: absent means every table (docs/protocol.md, "Table subscriptions")
                writeStrings(out, "tables", hello.tables());
            }
        }
        else if (message instanceof Welcome welcome) {
            out.writeStringField("session", welcome.sessionId());
            out.writeNumberField("hlc", welcome.serverHlc().value());
            out.writeNumberField("head", welcome.headCursor());
            out.writeBooleanField("resync", welcome.resyncRequired());
            out.writeNumberField("maxBatch", welcome.maxBatchChanges());
            out.writeNumberField("maxBytes", welcome.maxMessageBytes());
            if (welcome.serverTimeMillis() > 0) {
                out.writeNumberField("time", welcome.serverTimeMillis());
            }
            if (welcome.deviceMark() > 0) {
                out.writeNumberField("own", welcome.deviceMark());
            }
            if (welcome.maxRowBytes() > 0) {
                out.writeNumberField("maxRow", welcome.maxRowBytes());
            }
            if (welcome.maxAssembledBytes() > 0) {
                out.writeNumberField("maxAssembled", welcome.maxAssembledBytes());
            }
            if (welcome.grant() != null) {
                out.writeStringField("grant", welcome.grant().shortForm());
            }
        }
        else if (message instanceof Push push) {
            out.writeStringField("batch", push.batchId());
            if (push.bulk()) {
                out.writeBooleanField("bulk", true);
            }
            writeChanges(out, push.changes());
        }
        else if (message instanceof Ack ack) {
            out.writeStringField("batch", ack.batchId());
            out.writeArrayFieldStart("results");
            for (ChangeResult result : ack.results()) {
                writeResult(out, result);
            }
            out.writeEndArray();
            out.writeNumberField("hlc", ack.serverHlc().value());
            if (ack.serverTimeMillis() > 0) {
                out.writeNumberField("time", ack.serverTimeMillis());
            }
            if (ack.applied() != null) {
                out.writeObjectFieldStart("applied");
                out.writeNumberField("from", ack.applied().from());
                out.writeNumberField("to", ack.applied().to());
                out.writeNumberField("count", ack.applied().count());
                out.writeEndObject();
            }
        }
        else if (message instanceof Changes changes) {
            out.writeStringField("mode", changes.mode().name());
            writeChanges(out, changes.changes());
            out.writeNumberField("from", changes.fromCursor());
            out.writeNumberField("cursor", changes.cursor());
            out.writeBooleanField("more", changes.hasMore());
            out.writeNumberField("remaining", changes.estimatedRemaining());
            if (!changes.sequences().isEmpty()) {
                out.writeArrayFieldStart("seqs");
                for (Long sequence : changes.sequences()) {
                    out.writeNumber(sequence);
                }
                out.writeEndArray();
            }
            if (changes.checksums() != null) {
                out.writeObjectFieldStart("sums");
                ChecksumCodec.writeChecksums(out, changes.checksums());
                out.writeEndObject();
            }
            if (changes.tables() != null) {
                writeStrings(out, "tables", changes.tables());
            }
        }
        else if (message instanceof Pull pull) {
            out.writeNumberField("cursor", pull.cursor());
            out.writeNumberField("limit", pull.limit());
            if (pull.ownFrom() > 0) {
                out.writeNumberField("own", pull.ownFrom());
            }
            if (pull.self()) {
                out.writeBooleanField("self", true);
            }
            if (pull.sums() != null) {
                out.writeBooleanField("sums", true);
                ChecksumCodec.writeLevel(out, pull.sums());
            }
            if (pull.tables() != null) {
                // protocol 4: a table catch-up (docs/protocol.md 3.8)
                writeStrings(out, "tables", pull.tables());
            }
        }
        else if (message instanceof ErrorMessage error) {
            out.writeStringField("code", error.code().name());
            out.writeNumberField("number", error.code().number());
            out.writeStringField("message", error.message());
            if (error.refId() != null) {
                out.writeStringField("ref", error.refId());
            }
        }
        else if (message instanceof Ping ping) {
            out.writeNumberField("nonce", ping.nonce());
        }
        else if (message instanceof Pong pong) {
            out.writeNumberField("nonce", pong.nonce());
        }
        else if (message instanceof Verify verify) {
            ChecksumCodec.writeVerify(out, verify);
        }
        else if (message instanceof Checksums checksums) {
            ChecksumCodec.writeChecksums(out, checksums);
            if (!checksums.rows().isEmpty()) {
                writeChanges(out, checksums.rows());
            }
        }
        out.writeEndObject();
    }

    private static void writeStrings(JsonGenerator out, String name, List<String> values) throws IOException {
        out.writeArrayFieldStart(name);
        for (String value : values) {
            out.writeString(value);
        }
        out.writeEndArray();
    }

    private void writeChanges(JsonGenerator out, List<Change> changes) throws IOException {
        out.writeArrayFieldStart("changes");
        for (Change change : changes) {
            writeChange(out, change);
        }
        out.writeEndArray();
    }

    private void writeResult(JsonGenerator out, ChangeResult result) throws IOException {
        out.writeStartObject();
        out.writeStringField("id", result.changeId());
        out.writeStringField("status", result.status().name());
        out.writeNumberField("seq", result.sequence());
        if (result.previousKnown()) {
            out.writeNumberField("prev", result.previous());
        }
        if (result.winner() != null) {
            out.writeFieldName("winner");
            writeChange(out, result.winner());
        }
        if (result.errorCode() != null) {
            out.writeStringField("code", result.errorCode().name());
        }
        if (result.message() != null) {
            out.writeStringField("message", result.message());
        }
        out.writeEndObject();
    }

    private void writeChange(JsonGenerator out, Change change) throws IOException {
        out.writeStartObject();
        out.writeStringField("id", change.changeId());
        out.writeStringField("table", change.table());
        out.writeStringField("gid", change.globalId());
        out.writeStringField("op", change.op().name());
        out.writeObjectFieldStart("row");
        for (Map.Entry<String, Object> column : change.row().entrySet()) {
            out.writeFieldName(column.getKey());
            writeValue(out, column.getValue());
        }
        out.writeEndObject();
        out.writeArrayFieldStart("cols");
        for (String column : change.changedColumns()) {
            out.writeString(column);
        }
        out.writeEndArray();
        out.writeNumberField("hlc", change.hlc().value());
        out.writeStringField("device", change.deviceId());
        if (!change.uniqueKeys().isEmpty()) {
            // optional since protocol 1.x: older peers ignore it (docs/protocol.md, "Unique claims")
            out.writeArrayFieldStart("uniq");
            for (List<String> key : change.uniqueKeys()) {
                out.writeStartArray();
                for (String column : key) {
                    out.writeString(column);
                }
                out.writeEndArray();
            }
            out.writeEndArray();
        }
        out.writeEndObject();
    }

    private void writeValue(JsonGenerator out, Object value) throws IOException {
        if (value == null) {
            out.writeNull();
        }
        else if (value instanceof Long) {
            out.writeNumber((Long) value);
        }
        else if (value instanceof Double) {
            out.writeNumber((Double) value);
        }
        else if (value instanceof String) {
            out.writeString((String) value);
        }
        else if (value instanceof byte[]) {
            if (blobsAsObjects) {
                out.writeStartObject();
                out.writeStringField(MessageDecoder.BLOB_FIELD, Base64.getEncoder().encodeToString((byte[]) value));
                out.writeEndObject();
            }
            else {
                out.writeBinary((byte[]) value);
            }
        }
        else {
            // Rows.copyOf normalises every row value, so this is a bug in the caller, not bad input.
            throw new IllegalStateException("not a SQLite value: " + value.getClass().getName());
        }
    }
}
