package io.pocketsync.api.checksum;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that hash batches ahead ({@link IncomingHashes#ahead}): one fewer than the cores (at least one), daemon,
 * started when first needed and ended after a minute idle. Their own pool rather than the common pool: on 2 cores the
 * common pool has a single thread that any other task of the process may hold when a batch arrives (and
 * {@code CompletableFuture.supplyAsync} starts a thread per task there). A task the queue has no room for is dropped:
 * the store hashes what no thread has taken (see {@link IncomingHashes}), so nothing ever waits for this pool.
 */
final class RowHashers {
    static final int THREADS = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);

    private static final Executor POOL = pool();

    private RowHashers() {}

    /** Runs {@code task} on a hashing thread, or not at all when they are all busy and the queue is full. */
    static void offer(Runnable task) {
        POOL.execute(task);
    }

    private static Executor pool() {
        AtomicInteger number = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(THREADS, THREADS, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(4 * THREADS), task -> {
                    Thread thread = new Thread(task, "pocketsync-row-hashes-" + number.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                }, new ThreadPoolExecutor.DiscardPolicy());
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
