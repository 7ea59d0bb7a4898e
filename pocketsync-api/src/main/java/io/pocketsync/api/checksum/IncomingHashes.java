package io.pocketsync.api.checksum;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.store.RowKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The row hashes of a batch's incoming images, computed ahead on another core while the store reads, plans and
 * writes the batch, so that the checksum upkeep adds little to the store's critical path (docs/benchmarks.md). A
 * planned state whose image is the very map a change brought (the usual case: the incoming change wins) takes its
 * hash from here; any other image (a merge, a completed partial image) is hashed when asked.
 *
 * <p>Immutable once computed; thread-safe.
 */
public final class IncomingHashes {
    /** Batches smaller than this are hashed inline: handing them to another thread costs more than hashing them. */
    static final int AHEAD_FROM = 64;

    private static final IncomingHashes NONE = new IncomingHashes(Map.of());

    private record Hashed(Map<String, ? extends @Nullable Object> row, long hash) {}

    private final Map<RowKey, Hashed> hashes;

    private IncomingHashes(Map<RowKey, Hashed> hashes) {
        this.hashes = hashes;
    }

    /**
     * Starts hashing the images of a batch of at least {@value #AHEAD_FROM} changes on the common pool.
     *
     * <p>The task goes to the pool itself, not through {@code CompletableFuture.supplyAsync}: on a machine of 2 cores
     * the common pool has one thread, and {@code supplyAsync} then starts a new thread per task instead, a cost per
     * batch the upkeep's budget does not have. The hashes are never waited for while the pool is busy with other work:
     * the store asks for them when it needs them, and a task not started by then is dropped, its images hashed on the
     * store's thread (as a small batch's are).
     *
     * @param changes the batch, in order
     * @return the hashes, when asked: those computed ahead, or none (at once) for a smaller batch or a task not
     *         started; thread-safe, and may be asked more than once
     */
    public static Supplier<IncomingHashes> ahead(List<Change> changes) {
        if (changes.size() < AHEAD_FROM) {
            return IncomingHashes::none;
        }
        Ahead ahead = new Ahead(changes);
        try {
            ForkJoinPool.commonPool().execute(ahead::run);
        }
        catch (RejectedExecutionException e) {
            // hashed when asked
        }
        return ahead::get;
    }

    /** One batch's hashing ahead: whoever claims it first, the pool's task or the store asking, decides. */
    private static final class Ahead {
        private final List<Change> changes;
        private final AtomicBoolean claimed = new AtomicBoolean();
        private final CompletableFuture<IncomingHashes> done = new CompletableFuture<>();

        Ahead(List<Change> changes) {
            this.changes = changes;
        }

        void run() {
            if (claimed.compareAndSet(false, true)) {
                try {
                    done.complete(of(changes));
                }
                catch (RuntimeException e) {
                    done.complete(NONE); // only means hashing inline later, where an error has its context
                }
            }
        }

        IncomingHashes get() {
            if (claimed.compareAndSet(false, true)) {
                done.complete(NONE); // not started: the store hashes inline rather than wait for a busy pool
            }
            return done.join();
        }
    }

    /**
     * The hashes of a batch's images, computed now.
     *
     * @param changes the batch, in order (a later change of a row replaces an earlier one's hash)
     * @return the hashes
     */
    public static IncomingHashes of(List<Change> changes) {
        Map<RowKey, Hashed> hashes = new HashMap<>(changes.size() * 2);
        for (Change change : changes) {
            if (change.isDelete()) {
                continue;
            }
            try {
                hashes.put(RowKey.of(change), new Hashed(change.row(), RowHash.of(change.table(), change.globalId(), change.row())));
            }
            catch (IllegalArgumentException e) {
                // left to the upkeep, which meets the bad value again where the error belongs
            }
        }
        return new IncomingHashes(hashes);
    }

    /**
     * No hashes computed ahead: every image is hashed when asked.
     *
     * @return the empty set
     */
    public static IncomingHashes none() {
        return NONE;
    }

    /**
     * The hash of a row image: the one computed ahead when it is of this very image, else computed now.
     *
     * @param key the row
     * @param row its image
     * @return {@link RowHash#of} of the row
     */
    long hashOf(RowKey key, Map<String, ? extends @Nullable Object> row) {
        Hashed hashed = hashes.get(key);
        return hashed != null && hashed.row() == row ? hashed.hash() : RowHash.of(key.table(), key.globalId(), row);
    }
}
