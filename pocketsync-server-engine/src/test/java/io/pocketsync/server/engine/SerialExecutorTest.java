package io.pocketsync.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SerialExecutorTest {
    @Test
    void runsTasksOneAtATimeInOrder() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            SerialExecutor serial = new SerialExecutor(pool, 1000);
            List<Integer> ran = new CopyOnWriteArrayList<>();
            for (int i = 0; i < 200; i++) {
                int n = i;
                assertThat(serial.tryExecute(() -> ran.add(n))).isTrue();
            }
            await().until(() -> ran.size() == 200);
            assertThat(ran).isSorted();
        }
        finally {
            pool.shutdown();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aTaskThatThrowsAnErrorDoesNotStallTheTasksAfterIt() throws Exception {
        List<Throwable> uncaught = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "serial-test");
            thread.setUncaughtExceptionHandler((t, e) -> uncaught.add(e));
            return thread;
        });
        try {
            SerialExecutor serial = new SerialExecutor(pool, 10);
            List<String> ran = new CopyOnWriteArrayList<>();
            serial.execute(() -> ran.add("first"));
            serial.execute(() -> {
                throw new NoClassDefFoundError("a class of a jar replaced under the running server");
            });
            serial.execute(() -> ran.add("after the error"));

            await().until(() -> ran.size() == 2);
            assertThat(ran).containsExactly("first", "after the error");
            // the Error still reaches the pool thread's handler, which the server command turns into an exit
            await().until(() -> !uncaught.isEmpty());
            assertThat(uncaught).singleElement().isInstanceOf(NoClassDefFoundError.class);
            assertThat(serial.tryExecute(() -> ran.add("later"))).isTrue();
            await().until(() -> ran.size() == 3);
        }
        finally {
            pool.shutdown();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
