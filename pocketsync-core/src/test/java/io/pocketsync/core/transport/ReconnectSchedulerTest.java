package io.pocketsync.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.transport.ReconnectPolicy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ReconnectSchedulerTest {
    private final List<Long> attempts = new CopyOnWriteArrayList<>();

    @Test
    void aHoldPostponesEveryAttemptQueuedMeanwhileToOneAttemptAtItsEnd() {
        try (ReconnectScheduler scheduler = new ReconnectScheduler("test-reconnect",
                new ReconnectPolicy(Duration.ofMillis(1), Duration.ofMillis(2)), () -> attempts.add(System.nanoTime()))) {
            long held = System.nanoTime();
            scheduler.holdFor(Duration.ofMillis(300));
            scheduler.retryLater();
            scheduler.retryLater();
            scheduler.retryLater();

            await().atMost(Duration.ofSeconds(5)).until(() -> attempts.size() >= 1);
            assertThat(attempts.get(0) - held).isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos());
            // the three queued attempts became one
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> attempts.size() == 1);
        }
    }

    @Test
    void withoutAHoldAnAttemptRunsAfterTheBackoff() {
        try (ReconnectScheduler scheduler = new ReconnectScheduler("test-reconnect",
                new ReconnectPolicy(Duration.ofMillis(1), Duration.ofMillis(2)), () -> attempts.add(System.nanoTime()))) {
            scheduler.holdFor(Duration.ZERO);
            scheduler.connectNow();
            scheduler.retryLater();

            await().atMost(Duration.ofSeconds(5)).until(() -> attempts.size() == 2);
        }
    }
}
