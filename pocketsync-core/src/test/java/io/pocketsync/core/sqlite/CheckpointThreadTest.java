package io.pocketsync.core.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CheckpointThreadTest {
    @Test
    void aCheckpointRunsOnceEnoughPagesWereCommittedAndTheCountStartsOver() {
        AtomicInteger checkpoints = new AtomicInteger();
        try (CheckpointThread thread = CheckpointThread.start("test-checkpoint", 100, Duration.ZERO,
                checkpoints::incrementAndGet)) {
            thread.committed(60);
            thread.committed(39);
            assertThat(checkpoints.get()).as("99 pages: below the mark").isZero();

            thread.committed(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> checkpoints.get() == 1);

            thread.committed(99); // counted from 0 again after the signal
            thread.committed(100);
            await().atMost(Duration.ofSeconds(10)).until(() -> checkpoints.get() == 2);
            assertThat(thread.running()).isTrue();
        }
    }

    @Test
    void aFailingCheckpointLeavesTheThreadRunningAndCloseStopsIt() {
        AtomicInteger calls = new AtomicInteger();
        CheckpointThread thread = CheckpointThread.start("test-checkpoint", 1, Duration.ZERO, () -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("a bug in the checkpoint");
            }
        });
        thread.committed(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() == 1);
        thread.committed(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() == 2);
        thread.close();
        assertThat(thread.running()).isFalse();
        thread.committed(5); // after close: counted, never run
        assertThat(calls.get()).isEqualTo(2);
    }

    @Test
    void aMarkBelowOnePageIsRefused() {
        assertThatThrownBy(() -> CheckpointThread.start("test-checkpoint", 0, Duration.ZERO, () -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
    }
}
