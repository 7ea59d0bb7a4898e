package io.pocketsync.server.engine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.Health;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class WriteHealthTest {
    @Test
    void upUntilAWriteFailsThenDownWithTheCauseUntilAWriteSucceeds() {
        AtomicInteger probes = new AtomicInteger();
        WriteHealth health = new WriteHealth("test store", () -> {
            probes.incrementAndGet();
            return true;
        }, Duration.ofHours(1));
        assertThat(health.health()).isEqualTo(Health.ok());

        health.failed("SQLITE_FULL: the disk is full");
        assertThat(health.health()).isEqualTo(Health.down("SQLITE_FULL: the disk is full"));
        assertThat(health.down()).isTrue();
        assertThat(probes).as("no probe before the interval is over").hasValue(0);

        health.succeeded();
        assertThat(health.health()).isEqualTo(Health.ok());
        assertThat(probes).hasValue(0);
    }

    @Test
    void whileDownTheProbeDecidesAndAFailingProbeSaysWhy() {
        AtomicReference<String> fault = new AtomicReference<>("OOM");
        WriteHealth health = new WriteHealth("test store", () -> {
            String why = fault.get();
            if (why != null) {
                throw new IllegalStateException(why + " still");
            }
            return true;
        }, Duration.ofMillis(1));
        health.failed("OOM");

        await().until(() -> health.health().detail().equals("OOM still"));
        assertThat(health.health().up()).isFalse();

        fault.set(null);
        await().until(() -> health.health().up());
    }

    @Test
    void aProbeThatCouldNotTryLeavesTheStateAsItIs() {
        AtomicInteger probes = new AtomicInteger();
        WriteHealth health = new WriteHealth("test store", () -> {
            probes.incrementAndGet();
            return false; // a batch holds the writer: it reports itself
        }, Duration.ofMillis(1));
        health.failed("SQLITE_IOERR");

        await().until(() -> health.health() != null && probes.get() > 0);
        assertThat(health.health()).isEqualTo(Health.down("SQLITE_IOERR"));
    }
}
