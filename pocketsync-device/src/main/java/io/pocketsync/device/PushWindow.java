package io.pocketsync.device;

import io.pocketsync.api.capture.LocalChange;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The PUSH batches a device has sent and not yet seen answered, at most {@code capacity} of them
 * (protocol.md 3.2). Sending the next batch before the previous ACK hides the round trip and the
 * server's store commit behind the device's own work, which is what lets batching pay off on a slow
 * link such as MQTT through a broker.
 *
 * <p>Two rules keep that safe:
 * <ul>
 *   <li>Batches in flight never share a row: a batch ends before the first change of a row that is
 *       still in flight. So if a batch fails or times out and is sent again, no later change of any of
 *       its rows can have reached the server before it, and each row's changes arrive in local order.</li>
 *   <li>The window forgets everything on a timeout, an error, a reconnect: the engine then sends every
 *       pending change again from the start, with the same change ids (the server answers those it
 *       already stored {@code DUPLICATE}). Nothing is marked acknowledged before an ACK names it.</li>
 * </ul>
 *
 * <p>Not thread-safe: used on the device engine thread only.
 */
final class PushWindow {
    /** One PUSH in flight. */
    record Batch(String batchId, int size, long lastLocalSequence, long deadlineNanos) {}

    private final int capacity;
    private final ArrayDeque<Batch> batches = new ArrayDeque<>();
    private final Map<String, List<String>> rowsByBatch = new HashMap<>();
    private final Map<String, Integer> rowsInFlight = new HashMap<>();
    /** The local sequence of the last change sent in this window; the next batch starts after it. */
    private long sentThrough;

    PushWindow(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
    }

    boolean hasRoom() {
        return batches.size() < capacity;
    }

    boolean isEmpty() {
        return batches.isEmpty();
    }

    int size() {
        return batches.size();
    }

    /** Where the next batch starts: the pending changes after this local sequence are not in flight. */
    long sentThrough() {
        return sentThrough;
    }

    /** The longest prefix of {@code pending} (in local order) that touches no row of a batch in flight. */
    List<LocalChange> sendable(List<LocalChange> pending) {
        if (rowsInFlight.isEmpty()) {
            return pending;
        }
        int end = 0;
        while (end < pending.size() && !rowsInFlight.containsKey(rowKey(pending.get(end)))) {
            end++;
        }
        return pending.subList(0, end);
    }

    /** Records a batch as sent. */
    void add(String batchId, List<LocalChange> batch, long deadlineNanos) {
        List<String> rows = new ArrayList<>(batch.size());
        for (LocalChange change : batch) {
            String key = rowKey(change);
            rows.add(key);
            rowsInFlight.merge(key, 1, Integer::sum);
        }
        long last = batch.get(batch.size() - 1).localSequence();
        batches.addLast(new Batch(batchId, batch.size(), last, deadlineNanos));
        rowsByBatch.put(batchId, rows);
        sentThrough = Math.max(sentThrough, last);
    }

    /**
     * Takes the batch out of the window when its ACK (or ERROR) arrives.
     *
     * @return the batch, or null when it is not in flight (a late answer to a batch sent again since, or a
     *         second answer to one batch)
     */
    @Nullable Batch remove(String batchId) {
        @Nullable Batch found = null;
        for (Iterator<Batch> it = batches.iterator(); it.hasNext();) {
            Batch batch = it.next();
            if (batch.batchId().equals(batchId)) {
                it.remove();
                found = batch;
                break;
            }
        }
        if (found == null) {
            return null;
        }
        for (String key : rowsByBatch.remove(batchId)) {
            rowsInFlight.computeIfPresent(key, (k, count) -> count == 1 ? null : count - 1);
        }
        if (batches.isEmpty()) {
            // a change an ACK did not name is still pending: the next batch starts from the beginning again
            sentThrough = 0;
        }
        return found;
    }

    /** The oldest batch whose ACK is overdue at {@code nowNanos}, or null. */
    @Nullable Batch overdue(long nowNanos) {
        Batch oldest = batches.peekFirst();
        return oldest != null && nowNanos - oldest.deadlineNanos() > 0 ? oldest : null;
    }

    /** Forgets every batch in flight: their changes are sent again from the start. */
    void clear() {
        batches.clear();
        rowsByBatch.clear();
        rowsInFlight.clear();
        sentThrough = 0;
    }

    private static String rowKey(LocalChange change) {
        return change.change().table() + '\u0000' + change.change().globalId();
    }
}
