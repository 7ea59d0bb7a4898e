package io.pocketsync.api.checksum;

import io.pocketsync.api.model.Change;
import io.pocketsync.api.store.RowKey;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The row hashes (and buckets) of a batch's incoming images, computed ahead on other cores while the store reads,
 * plans and writes the batch, so that the checksum upkeep adds little to the store's critical path
 * (docs/benchmarks.md). A planned state whose image is the very map a change brought (the usual case: the incoming
 * change wins) takes its hash from here; any other image (a merge, a completed partial image) is hashed when asked.
 *
 * <p>Immutable once computed; thread-safe. A {@link Cursor} is not.
 */
public final class IncomingHashes {
    /** Batches smaller than this are hashed inline: handing them to another thread costs more than hashing them. */
    static final int AHEAD_FROM = 64;

    /** Changes a hashing thread takes at a time: the store hashes only the chunks no thread has started. */
    static final int CHUNK = 32;

    /** How far past the last match a {@link Cursor} looks for a row's change before hashing it itself. */
    private static final int LOOK_AHEAD = 8;

    private static final IncomingHashes NONE = new IncomingHashes(new Change[0], new long[0], new int[0], new boolean[0]);

    private final Change[] changes;
    private final long[] hashes;
    private final int[] buckets;
    /** Whether {@code hashes[i]} holds the hash of change i's image (not for a delete or a value not SQLite's). */
    private final boolean[] hashed;

    private IncomingHashes(Change[] changes, long[] hashes, int[] buckets, boolean[] hashed) {
        this.changes = changes;
        this.hashes = hashes;
        this.buckets = buckets;
        this.hashed = hashed;
    }

    /**
     * Starts hashing the images of a batch of at least {@value #AHEAD_FROM} changes on the hashing threads.
     *
     * <p>The batch is hashed in chunks of {@value #CHUNK} changes that the hashing threads take one by one. The store
     * never waits for them: when it asks, it hashes on its own thread every chunk not finished by then (also one a
     * thread is still on), so on a busy machine it is at worst as fast as hashing inline, and on an idle core the
     * hashing costs its thread almost nothing.
     *
     * @param changes the batch, in order
     * @return the hashes, when asked: all of them for a batch of at least {@value #AHEAD_FROM}, none (at once) for a
     *         smaller one; thread-safe, and may be asked more than once
     */
    public static Supplier<IncomingHashes> ahead(List<Change> changes) {
        if (changes.size() < AHEAD_FROM) {
            return IncomingHashes::none;
        }
        Ahead ahead = new Ahead(changes.toArray(Change[]::new));
        for (int i = 0; i < Math.min(RowHashers.THREADS, ahead.chunks); i++) {
            RowHashers.offer(ahead::work);
        }
        return ahead::get;
    }

    /** One batch's hashing ahead: the hashing threads and the store asking share its chunks. */
    static final class Ahead {
        private final Change[] changes;
        private final int chunks;
        private final long[] hashes;
        private final int[] buckets;
        private final boolean[] hashed;
        private final AtomicInteger nextChunk = new AtomicInteger();
        /** 1 once a hashing thread has written a chunk's results: reading it makes them visible. */
        private final AtomicIntegerArray done;
        private @Nullable IncomingHashes result;

        Ahead(Change[] changes) {
            this.changes = changes;
            this.chunks = (changes.length + CHUNK - 1) / CHUNK;
            this.hashes = new long[changes.length];
            this.buckets = new int[changes.length];
            this.hashed = new boolean[changes.length];
            this.done = new AtomicIntegerArray(chunks);
        }

        /** A hashing thread: takes chunks until none is left. */
        void work() {
            for (int chunk = take(); chunk < chunks; chunk = take()) {
                finish(chunk);
            }
        }

        /** Takes the next chunk for a hashing thread; {@code chunks} or more when none is left. */
        int take() {
            return nextChunk.getAndIncrement();
        }

        /** Hashes a chunk {@link #take} gave this thread, and says it is done. */
        void finish(int chunk) {
            hash(RowHash.buffer(), changes, chunk, hashes, buckets, hashed);
            done.set(chunk, 1);
        }

        synchronized IncomingHashes get() {
            if (result != null) {
                return result;
            }
            // every chunk no thread has taken is this thread's from now on
            int taken = Math.min(nextChunk.getAndSet(chunks), chunks);
            long[] ownHashes = hashes;
            int[] ownBuckets = buckets;
            boolean[] ownHashed = hashed;
            RowHash.Bytes buffer = RowHash.buffer();
            for (int chunk = 0; chunk < chunks; chunk++) {
                if (chunk < taken && done.get(chunk) == 1) {
                    if (ownHashes != hashes) {
                        int from = chunk * CHUNK;
                        int length = Math.min(changes.length, from + CHUNK) - from;
                        System.arraycopy(hashes, from, ownHashes, from, length);
                        System.arraycopy(buckets, from, ownBuckets, from, length);
                        System.arraycopy(hashed, from, ownHashed, from, length);
                    }
                    continue;
                }
                if (chunk < taken && ownHashes == hashes) {
                    // a thread is still on this chunk and may yet write it: this thread goes on in copies, never waiting
                    ownHashes = hashes.clone();
                    ownBuckets = buckets.clone();
                    ownHashed = hashed.clone();
                }
                hash(buffer, changes, chunk, ownHashes, ownBuckets, ownHashed);
            }
            result = new IncomingHashes(changes, ownHashes, ownBuckets, ownHashed);
            return result;
        }
    }

    private static void hash(RowHash.Bytes buffer, Change[] changes, int chunk, long[] hashes, int[] buckets, boolean[] hashed) {
        int to = Math.min(changes.length, (chunk + 1) * CHUNK);
        for (int i = chunk * CHUNK; i < to; i++) {
            Change change = changes[i];
            hashed[i] = false;
            if (change.isDelete()) {
                continue;
            }
            try {
                hashes[i] = RowHash.of(buffer, change.table(), change.globalId(), change.row());
                buckets[i] = RowHash.bucket(change.globalId());
                hashed[i] = true;
            }
            catch (IllegalArgumentException e) {
                // left to the upkeep, which meets the bad value again where the error belongs
            }
        }
    }

    /**
     * The hashes of a batch's images, computed now.
     *
     * @param changes the batch, in order (a later change of a row replaces an earlier one's hash)
     * @return the hashes
     */
    public static IncomingHashes of(List<Change> changes) {
        Change[] all = changes.toArray(Change[]::new);
        long[] hashes = new long[all.length];
        int[] buckets = new int[all.length];
        boolean[] hashed = new boolean[all.length];
        RowHash.Bytes buffer = RowHash.buffer();
        for (int chunk = 0; chunk * CHUNK < all.length; chunk++) {
            hash(buffer, all, chunk, hashes, buckets, hashed);
        }
        return new IncomingHashes(all, hashes, buckets, hashed);
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
     * A reader of these hashes for one pass over a plan's rows, which come mostly in the order of their changes: it
     * finds a row's change next to the last one found, with no index of the batch built.
     *
     * @return a new cursor; not thread-safe
     */
    Cursor cursor() {
        return new Cursor();
    }

    /** See {@link #cursor()}. */
    final class Cursor {
        private int next;
        private int found = -1;

        /**
         * Whether the image {@code row} of {@code key} is the very image of a change of the batch whose hash is known;
         * if so {@link #hash()} and {@link #bucket()} are its.
         */
        boolean find(RowKey key, Map<String, ? extends @Nullable Object> row) {
            int end = Math.min(changes.length, next + LOOK_AHEAD);
            for (int i = next; i < end; i++) {
                Change change = changes[i];
                if (change.row() == row && hashed[i] && change.globalId().equals(key.globalId())
                        && change.table().equals(key.table())) {
                    found = i;
                    next = i + 1;
                    return true;
                }
            }
            return false;
        }

        long hash() {
            return hashes[found];
        }

        int bucket() {
            return buckets[found];
        }
    }

}
