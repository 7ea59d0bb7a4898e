package io.pocketsync.server.engine.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;

/**
 * Writing and parsing of the stores' JSON text: writes stream straight into a {@link JsonText}, reads parse a
 * Jackson tree. Shared by the row, change, row-state, audit and feed forms of {@link StoreJson}. Thread-safe.
 */
final class StoreJsonIo {
    // what the store wrote itself: a row of max-row-bytes holds a BLOB whose base64 exceeds Jackson's default 20 MB bound
    private static final ObjectMapper MAPPER = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                    .maxStringLength(Integer.MAX_VALUE).build()).build());

    private StoreJsonIo() {}

    @FunctionalInterface
    interface Body {
        void write(JsonText generator);
    }

    /** Streams straight to text: no tree of nodes is built for what is only written. */
    static String write(Body body) {
        JsonText text = new JsonText(256);
        body.write(text);
        return text.toString();
    }

    static JsonNode read(String json) {
        try {
            return MAPPER.readTree(json);
        }
        catch (JsonProcessingException e) {
            throw new PocketSyncException(ErrorCode.INTERNAL, "stored JSON is corrupt", e);
        }
    }
}
