package io.pocketsync.store.sqlite;

import io.pocketsync.api.model.Change;
import io.pocketsync.server.engine.store.StoreJson;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;

/**
 * The stored JSON text of a batch's row images, written on another core while the writer connection reads,
 * resolves and writes the batch: the text of every image was a fifth of a batch's time on the writer (JFR, batches of
 * 1000 new rows). A row state whose image is the pushed one, the same instance (a new row, an image the resolver took
 * whole), takes its text from here; any other image (a merge, a row completed from the stored one) is written as
 * before. Immutable once built; row images are immutable, so they are read on the pool safely.
 */
final class SqliteRowTexts {
    /** Batches smaller than this are written inline: handing them over costs more than it saves. */
    static final int AHEAD_FROM = 64;
    static final SqliteRowTexts NONE = new SqliteRowTexts(new IdentityHashMap<>());

    private final Map<Map<String, Object>, String> texts;

    private SqliteRowTexts(Map<Map<String, Object>, String> texts) {
        this.texts = texts;
    }

    /** Starts writing the images of a batch of at least {@value #AHEAD_FROM} changes on the common pool. */
    static CompletableFuture<SqliteRowTexts> ahead(List<Change> changes) {
        if (changes.size() < AHEAD_FROM) {
            return CompletableFuture.completedFuture(NONE);
        }
        // a failure only means writing inline later, where an error has its context
        return CompletableFuture.supplyAsync(() -> of(changes), ForkJoinPool.commonPool()).exceptionally(e -> NONE);
    }

    static SqliteRowTexts of(List<Change> changes) {
        Map<Map<String, Object>, String> texts = new IdentityHashMap<>(changes.size() * 2);
        for (Change change : changes) {
            if (!change.isDelete()) {
                texts.computeIfAbsent(change.row(), StoreJson::writeRow);
            }
        }
        return new SqliteRowTexts(texts);
    }

    /** The JSON text of {@code row}: written ahead when it is a pushed image, else now. */
    String json(Map<String, Object> row) {
        String text = texts.get(row);
        return text != null ? text : StoreJson.writeRow(row);
    }
}
