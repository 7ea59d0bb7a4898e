package io.pocketsync.server.engine.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.model.Version;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.store.AuditEntry;
import io.pocketsync.api.store.BatchPlan;
import io.pocketsync.api.store.CommittedBatch;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * JSON for what server stores keep as text: row images, per-column versions, changes, row states
 * (without sequences, which a store keeps beside them), audited changes and change-feed events.
 *
 * <p>Row values must come back exactly as they went in: an INTEGER stays a {@code Long} (JSON integers),
 * a REAL stays a {@code Double} (always written with a fraction or exponent, so it is parsed back as a
 * floating-point number), and values JSON cannot hold natively are objects with a marker key:
 * {@code {"$b":"<base64>"}} for BLOBs, {@code {"$f":"Infinity"}} for non-finite REALs. Strings are always
 * JSON strings, so a string that looks like a marker stays a string. Thread-safe.
 */
public final class StoreJson {
    // what the store wrote itself: a row of max-row-bytes holds a BLOB whose base64 exceeds Jackson's default 20 MB bound
    private static final ObjectMapper MAPPER = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                    .maxStringLength(Integer.MAX_VALUE).build()).build());
    private static final String BLOB = "$b";
    private static final String FLOAT = "$f";

    private StoreJson() {}

    /**
     * Encodes a row image in the stores' JSON form.
     *
     * @param row column name to value (strings, numbers, booleans, byte arrays, nulls)
     * @return the row as a JSON object, blobs and floats tagged so that they read back with their type
     */
    public static String writeRow(Map<String, Object> row) {
        return write(generator -> writeRowFields(generator, row));
    }

    /**
     * Decodes a row image.
     *
     * @param json text {@link #writeRow} wrote
     * @return the row, with the types it was written with
     */
    public static Map<String, Object> readRow(String json) {
        return rowFrom(read(json));
    }

    /**
     * Encodes per-column versions.
     *
     * @param versions column name to the version that last wrote it
     * @return a JSON object of the versions
     */
    public static String writeVersions(Map<String, Version> versions) {
        return write(generator -> writeVersionFields(generator, versions));
    }

    /**
     * Decodes per-column versions.
     *
     * @param json text {@link #writeVersions} wrote
     * @return column name to version, in the written order
     */
    public static Map<String, Version> readVersions(String json) {
        Map<String, Version> versions = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = read(json).fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            versions.put(field.getKey(), versionFrom(field.getValue()));
        }
        return versions;
    }

    /**
     * Encodes a change.
     *
     * @param change the change, with its row image
     * @return a JSON object with ids, op, row, changed columns, HLC and device
     */
    public static String writeChange(Change change) {
        return write(generator -> writeChangeFields(generator, change));
    }

    private static void writeChangeFields(JsonText generator, Change change) {
        writeChange(generator, change, change.op(), () -> writeRowFields(generator, change.row()), change.changedColumns());
    }

    /**
     * One change object: ids, clock and device from {@code identity}, the rest as given (a feed entry's
     * operation and columns may differ from the pushed change's, and its row is written from stored text).
     */
    private static void writeChange(JsonText generator, Change identity, Op op, Runnable writeRow, List<String> columns) {
        generator.writeStartObject();
        generator.writeStringField("id", identity.changeId());
        generator.writeStringField("table", identity.table());
        generator.writeStringField("gid", identity.globalId());
        generator.writeStringField("op", op.name());
        generator.writeFieldName("row");
        writeRow.run();
        generator.writeArrayFieldStart("cols");
        for (String column : columns) {
            generator.writeString(column);
        }
        generator.writeEndArray();
        generator.writeNumberField("hlc", identity.hlc().value());
        generator.writeStringField("device", identity.deviceId());
        generator.writeEndObject();
    }

    /**
     * Decodes a change.
     *
     * @param json text {@link #writeChange(Change)} wrote
     * @return the change
     */
    public static Change readChange(String json) {
        return changeFrom(read(json));
    }

    private static Change changeFrom(JsonNode node) {
        List<String> columns = new ArrayList<>();
        node.get("cols").forEach(column -> columns.add(column.asText()));
        return new Change(node.get("id").asText(), node.get("table").asText(), node.get("gid").asText(),
                Op.valueOf(node.get("op").asText()), rowFrom(node.get("row")), columns, new Hlc(node.get("hlc").asLong()),
                node.get("device").asText());
    }

    /**
     * A row state without its sequences (the store keeps those beside the JSON).
     *
     * @param state the row state
     * @return a JSON object without the first and last sequences
     */
    public static String writeState(RowState state) {
        return writeState(state, new RowTexts());
    }

    /**
     * Row images already written once, by identity: a batch writes the same image into a row's stored state
     * and into the feed event, and this writes it once. Not thread-safe; one per batch.
     */
    public static final class RowTexts {
        private final Map<Map<String, Object>, String> texts;

        /**
         * For a batch of a typical size (16 images).
         */
        public RowTexts() {
            this(16);
        }

        /**
         * For about {@code rows} images.
         *
         * @param rows the expected number of distinct images; a sizing hint, not a limit
         */
        public RowTexts(int rows) {
            this.texts = new IdentityHashMap<>(rows);
        }

        String of(Map<String, Object> row) {
            return texts.computeIfAbsent(row, StoreJson::writeRow);
        }
    }

    /**
     * {@link #writeState(RowState)}, reusing the text of row images written before.
     *
     * @param state the row state
     * @param rows images written earlier in the same batch; this adds the state's image to it
     * @return a JSON object without the first and last sequences
     */
    public static String writeState(RowState state, RowTexts rows) {
        return write(generator -> {
            generator.writeStartObject();
            generator.writeStringField("table", state.table());
            generator.writeStringField("gid", state.globalId());
            generator.writeFieldName("row");
            generator.writeRaw(rows.of(state.row()));
            generator.writeBooleanField("deleted", state.deleted());
            generator.writeFieldName("version");
            writeVersion(generator, state.version());
            generator.writeFieldName("cols");
            writeVersionFields(generator, state.columnVersions());
            generator.writeStringField("last", state.lastChangeId());
            generator.writeEndObject();
        });
    }

    /**
     * Decodes a row state and adds the sequences the store keeps beside it.
     *
     * @param json text {@link #writeState(RowState)} wrote
     * @param firstSequence the server sequence the row was first stored at, kept beside the JSON
     * @param lastSequence the server sequence of the row's latest change, kept beside the JSON
     * @return the row state
     */
    public static RowState readState(String json, long firstSequence, long lastSequence) {
        JsonNode node = read(json);
        Map<String, Version> versions = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.get("cols").fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            versions.put(field.getKey(), versionFrom(field.getValue()));
        }
        return new RowState(node.get("table").asText(), node.get("gid").asText(), rowFrom(node.get("row")),
                node.get("deleted").asBoolean(), versionFrom(node.get("version")), versions, node.get("last").asText(),
                firstSequence, lastSequence);
    }

    /**
     * An audit entry without its id (Redis assigns it inside the write script).
     *
     * @param atMillis when the change was decided, in epoch milliseconds
     * @param status the outcome: applied, duplicate, superseded or rejected
     * @param change the pushed change
     * @param winner the change id that won the conflict; null when there was none
     * @param code the rejection code; null unless rejected
     * @param reason a human-readable explanation; may be null
     * @return a JSON object of the entry
     */
    public static String writeAudit(long atMillis, ChangeStatus status, Change change, String winner, ErrorCode code, String reason) {
        return write(generator -> {
            generator.writeStartObject();
            generator.writeNumberField("at", atMillis);
            generator.writeStringField("status", status.name());
            generator.writeFieldName("change");
            writeChangeFields(generator, change);
            generator.writeStringField("winner", winner);
            generator.writeStringField("code", code == null ? null : code.name());
            generator.writeStringField("reason", reason);
            generator.writeEndObject();
        });
    }

    /**
     * Decodes an audit entry.
     *
     * @param id the entry id the store assigned
     * @param json text {@link #writeAudit} wrote
     * @return the entry
     */
    public static AuditEntry readAudit(long id, String json) {
        JsonNode node = read(json);
        return new AuditEntry(id, Instant.ofEpochMilli(node.get("at").asLong()), ChangeStatus.valueOf(node.get("status").asText()),
                changeFrom(node.get("change")), node.get("winner").textValue(),
                node.get("code").isNull() ? null : ErrorCode.valueOf(node.get("code").asText()), node.get("reason").textValue());
    }

    /**
     * A change-feed event without its sequence range (the subscriber derives it from the head sent beside it).
     *
     * @param scope the batch's scope
     * @param nodeId the id of the server node that committed the batch
     * @param changes the committed changes, in sequence order
     * @return a JSON object of the event
     */
    public static String writeFeed(Scope scope, String nodeId, List<Change> changes) {
        return write(generator -> {
            generator.writeStartObject();
            generator.writeStringField("scope", scope.name());
            generator.writeStringField("node", nodeId);
            generator.writeArrayFieldStart("changes");
            for (Change change : changes) {
                writeChangeFields(generator, change);
            }
            generator.writeEndArray();
            generator.writeEndObject();
        });
    }

    /**
     * {@link #writeFeed} from a plan's feed entries, without building the changes first. Same format.
     *
     * @param scope the batch's scope
     * @param nodeId the id of the server node that committed the batch
     * @param entries the plan's feed entries, in sequence order
     * @param rows images already written for the batch; reused, and extended
     * @return a JSON object of the event, readable with {@link #readFeed(long, String)}
     */
    public static String writeFeedOf(Scope scope, String nodeId, List<BatchPlan.FeedEntry> entries, RowTexts rows) {
        return write(generator -> {
            generator.writeStartObject();
            generator.writeStringField("scope", scope.name());
            generator.writeStringField("node", nodeId);
            generator.writeArrayFieldStart("changes");
            for (BatchPlan.FeedEntry entry : entries) {
                writeFeedEntry(generator, entry, rows);
            }
            generator.writeEndArray();
            generator.writeEndObject();
        });
    }

    private static void writeFeedEntry(JsonText generator, BatchPlan.FeedEntry entry, RowTexts rows) {
        writeChange(generator, entry.pushed(), entry.op(), () -> generator.writeRaw(rows.of(entry.row())), entry.changedColumns());
    }

    /**
     * Row states a store sends beside a feed event anyway (Redis publishes a batch's written rows with it), so
     * the event may name them instead of carrying their images and versions a second time.
     */
    public interface StoredStates {
        /**
         * The index of the stored state whose image is {@code row} (the same instance), or -1.
         *
         * @param row a feed entry's row image
         * @return the index of the stored state with that very image, or -1 when none has it
         */
        int indexOf(Map<String, Object> row);

        /**
         * A stored state by index.
         *
         * @param index an index {@link #indexOf} returned
         * @return the stored state at that index
         */
        RowState state(int index);
    }

    /**
     * {@link #writeFeedOf(Scope, String, List, RowTexts)} where an entry whose image is a stored state's names it
     * ({@code "v": index}) and carries only what the state does not say: its op, its changed columns, and its id,
     * HLC and device where they differ from the state's last change and version. Read with
     * {@link #readFeed(long, String, IntFunction)}.
     *
     * @param scope the batch's scope
     * @param nodeId the id of the server node that committed the batch
     * @param entries the plan's feed entries, in sequence order
     * @param rows images already written for the batch; reused, and extended
     * @param stored the row states sent beside the event
     * @return a JSON object of the event
     */
    public static String writeFeedOf(Scope scope, String nodeId, List<BatchPlan.FeedEntry> entries, RowTexts rows,
            StoredStates stored) {
        return write(generator -> {
            generator.writeStartObject();
            generator.writeStringField("scope", scope.name());
            generator.writeStringField("node", nodeId);
            generator.writeArrayFieldStart("changes");
            for (BatchPlan.FeedEntry entry : entries) {
                int index = stored.indexOf(entry.row());
                if (index < 0) {
                    writeFeedEntry(generator, entry, rows);
                    continue;
                }
                RowState state = stored.state(index);
                Change pushed = entry.pushed();
                generator.writeStartObject();
                generator.writeNumberField("v", index);
                generator.writeStringField("op", entry.op().name());
                if (!entry.changedColumns().isEmpty()) {
                    generator.writeArrayFieldStart("cols");
                    for (String column : entry.changedColumns()) {
                        generator.writeString(column);
                    }
                    generator.writeEndArray();
                }
                if (!pushed.changeId().equals(state.lastChangeId())) {
                    generator.writeStringField("id", pushed.changeId());
                }
                if (!pushed.hlc().equals(state.version().hlc())) {
                    generator.writeNumberField("hlc", pushed.hlc().value());
                }
                if (!pushed.deviceId().equals(state.version().deviceId())) {
                    generator.writeStringField("device", pushed.deviceId());
                }
                generator.writeEndObject();
            }
            generator.writeEndArray();
            generator.writeEndObject();
        });
    }

    /**
     * Reads a feed event whose entries may name stored states ({@link #writeFeedOf(Scope, String, List, RowTexts, StoredStates)}).
     *
     * @param fromSequence the server sequence just before the batch's first change
     * @param json the event text
     * @param storedStates the row states sent beside the event, by index
     * @return the committed batch, its sequences from {@code fromSequence + 1}
     */
    public static CommittedBatch readFeed(long fromSequence, String json, IntFunction<RowState> storedStates) {
        JsonNode node = read(json);
        List<Change> changes = new ArrayList<>();
        for (JsonNode change : node.get("changes")) {
            JsonNode index = change.get("v");
            if (index == null) {
                changes.add(changeFrom(change));
                continue;
            }
            RowState state = storedStates.apply(index.intValue());
            List<String> columns = new ArrayList<>();
            if (change.has("cols")) {
                change.get("cols").forEach(column -> columns.add(column.asText()));
            }
            changes.add(new Change(change.has("id") ? change.get("id").asText() : state.lastChangeId(), state.table(),
                    state.globalId(), Op.valueOf(change.get("op").asText()), state.row(), columns,
                    change.has("hlc") ? new Hlc(change.get("hlc").asLong()) : state.version().hlc(),
                    change.has("device") ? change.get("device").asText() : state.version().deviceId()));
        }
        return new CommittedBatch(Scope.of(node.get("scope").asText()), node.get("node").asText(), fromSequence,
                fromSequence + changes.size(), changes);
    }

    /**
     * Reads a feed event whose entries carry their changes in full.
     *
     * @param fromSequence the server sequence just before the batch's first change
     * @param json text {@link #writeFeed} or {@link #writeFeedOf(Scope, String, List, RowTexts)} wrote
     * @return the committed batch, its sequences from {@code fromSequence + 1}
     */
    public static CommittedBatch readFeed(long fromSequence, String json) {
        JsonNode node = read(json);
        List<Change> changes = new ArrayList<>();
        node.get("changes").forEach(change -> changes.add(changeFrom(change)));
        return new CommittedBatch(Scope.of(node.get("scope").asText()), node.get("node").asText(), fromSequence,
                fromSequence + changes.size(), changes);
    }

    private static void writeRowFields(JsonText generator, Map<String, Object> row) {
        generator.writeStartObject();
        row.forEach((column, value) -> {
            generator.writeFieldName(column);
            writeValue(generator, value);
        });
        generator.writeEndObject();
    }

    private static void writeValue(JsonText generator, Object value) {
        if (value == null) {
            generator.writeNull();
        }
        else if (value instanceof Long number) {
            generator.writeNumber(number);
        }
        else if (value instanceof Double number) {
            if (Double.isFinite(number)) {
                generator.writeNumber(number);
            }
            else {
                generator.writeStartObject();
                generator.writeStringField(FLOAT, number.toString());
                generator.writeEndObject();
            }
        }
        else if (value instanceof String text) {
            generator.writeString(text);
        }
        else if (value instanceof byte[] bytes) {
            generator.writeStartObject();
            generator.writeStringField(BLOB, Base64.getEncoder().encodeToString(bytes));
            generator.writeEndObject();
        }
        else {
            throw new PocketSyncException(ErrorCode.INVALID_CHANGE, "not a SQLite value: " + value.getClass().getName());
        }
    }

    private static Map<String, Object> rowFrom(JsonNode node) {
        Map<String, Object> row = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            row.put(field.getKey(), valueFrom(field.getValue()));
        }
        return row;
    }

    private static Object valueFrom(JsonNode node) {
        if (node.isNull()) {
            return null;
        }
        if (node.isIntegralNumber()) {
            return node.longValue();
        }
        if (node.isFloatingPointNumber()) {
            return node.doubleValue();
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.has(BLOB)) {
            return Base64.getDecoder().decode(node.get(BLOB).textValue());
        }
        if (node.has(FLOAT)) {
            return Double.valueOf(node.get(FLOAT).textValue());
        }
        throw new PocketSyncException(ErrorCode.INTERNAL, "unreadable stored value: " + node);
    }

    private static void writeVersionFields(JsonText generator, Map<String, Version> versions) {
        generator.writeStartObject();
        for (Map.Entry<String, Version> entry : versions.entrySet()) {
            generator.writeFieldName(entry.getKey());
            writeVersion(generator, entry.getValue());
        }
        generator.writeEndObject();
    }

    private static void writeVersion(JsonText generator, Version version) {
        generator.writeStartArray();
        generator.writeNumber(version.hlc().value());
        generator.writeString(version.deviceId());
        generator.writeEndArray();
    }

    private static Version versionFrom(JsonNode node) {
        return new Version(new Hlc(node.get(0).asLong()), node.get(1).asText());
    }

    @FunctionalInterface
    private interface Body {
        void write(JsonText generator);
    }

    /** Streams straight to text: no tree of nodes is built for what is only written. */
    private static String write(Body body) {
        JsonText text = new JsonText(256);
        body.write(text);
        return text.toString();
    }

    private static JsonNode read(String json) {
        try {
            return MAPPER.readTree(json);
        }
        catch (JsonProcessingException e) {
            throw new PocketSyncException(ErrorCode.INTERNAL, "stored JSON is corrupt", e);
        }
    }
}
