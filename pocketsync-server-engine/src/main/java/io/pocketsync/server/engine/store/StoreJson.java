package io.pocketsync.server.engine.store;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.model.Version;
import io.pocketsync.api.protocol.ChangeStatus;
import io.pocketsync.api.store.AuditEntry;
import io.pocketsync.api.store.BatchPlan;
import io.pocketsync.api.store.CommittedBatch;
import java.util.IdentityHashMap;
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
    private StoreJson() {}

    /**
     * Encodes a row image in the stores' JSON form.
     *
     * @param row column name to value (strings, numbers, booleans, byte arrays, nulls)
     * @return the row as a JSON object, blobs and floats tagged so that they read back with their type
     */
    public static String writeRow(Map<String, Object> row) {
        return StoreJsonIo.write(generator -> RowJson.writeRowFields(generator, row));
    }

    /**
     * Decodes a row image.
     *
     * @param json text {@link #writeRow} wrote
     * @return the row, with the types it was written with
     */
    public static Map<String, Object> readRow(String json) {
        return RowJsonReader.row(json);
    }

    /**
     * Encodes per-column versions.
     *
     * @param versions column name to the version that last wrote it
     * @return a JSON object of the versions
     */
    public static String writeVersions(Map<String, Version> versions) {
        return StoreJsonIo.write(generator -> RowJson.writeVersionFields(generator, versions));
    }

    /**
     * Decodes per-column versions.
     *
     * @param json text {@link #writeVersions} wrote
     * @return column name to version, in the written order
     */
    public static Map<String, Version> readVersions(String json) {
        return RowJsonReader.versions(json);
    }

    /**
     * Encodes a change.
     *
     * @param change the change, with its row image
     * @return a JSON object with ids, op, row, changed columns, HLC and device
     */
    public static String writeChange(Change change) {
        return StoreJsonIo.write(generator -> ChangeJson.writeChangeFields(generator, change));
    }

    /**
     * Decodes a change.
     *
     * @param json text {@link #writeChange(Change)} wrote
     * @return the change
     */
    public static Change readChange(String json) {
        return ChangeJson.changeFrom(StoreJsonIo.read(json));
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
        return RowStateJson.writeState(state, rows);
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
        return RowStateJson.readState(json, firstSequence, lastSequence);
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
        return AuditJson.writeAudit(atMillis, status, change, winner, code, reason);
    }

    /**
     * Decodes an audit entry.
     *
     * @param id the entry id the store assigned
     * @param json text {@link #writeAudit} wrote
     * @return the entry
     */
    public static AuditEntry readAudit(long id, String json) {
        return AuditJson.readAudit(id, json);
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
        return FeedJson.writeFeed(scope, nodeId, changes);
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
        return FeedJson.writeFeedOf(scope, nodeId, entries, rows);
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
        return FeedJson.writeFeedOf(scope, nodeId, entries, rows, stored);
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
        return FeedJson.readFeed(fromSequence, json, storedStates);
    }

    /**
     * Reads a feed event whose entries carry their changes in full.
     *
     * @param fromSequence the server sequence just before the batch's first change
     * @param json text {@link #writeFeed} or {@link #writeFeedOf(Scope, String, List, RowTexts)} wrote
     * @return the committed batch, its sequences from {@code fromSequence + 1}
     */
    public static CommittedBatch readFeed(long fromSequence, String json) {
        return FeedJson.readFeed(fromSequence, json);
    }
}
