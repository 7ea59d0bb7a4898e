package io.pocketsync.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.ChangesMode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MicrometerServerMetricsTest {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MicrometerServerMetrics metrics = new MicrometerServerMetrics(registry);
    private final Scope scope = Scope.of("alice");

    @Test
    void connectedDevicesPerTransport() {
        metrics.connected("websocket");
        metrics.connected("websocket");
        metrics.connected("mqtt");
        metrics.disconnected("websocket");

        assertThat(registry.get("pocketsync.devices.connected").tag("transport", "websocket").gauge().value()).isEqualTo(1);
        assertThat(registry.get("pocketsync.devices.connected").tag("transport", "mqtt").gauge().value()).isEqualTo(1);
    }

    @Test
    void everyOutcomeCountsAsIngested() {
        metrics.changesApplied(scope, 3);
        metrics.changesDuplicate(scope, 1);
        metrics.changesSuperseded(scope, 2);
        metrics.changeRejected(scope, ErrorCode.CLOCK_SKEW);

        assertThat(registry.get("pocketsync.changes.ingested").counter().count()).isEqualTo(7);
        assertThat(registry.get("pocketsync.changes.applied").counter().count()).isEqualTo(3);
        assertThat(registry.get("pocketsync.changes.duplicate").counter().count()).isEqualTo(1);
        assertThat(registry.get("pocketsync.changes.superseded").counter().count()).isEqualTo(2);
        assertThat(registry.get("pocketsync.changes.rejected").tag("code", "CLOCK_SKEW").counter().count()).isEqualTo(1);
    }

    @Test
    void broadcastCatchUpAndStoreLatency() {
        metrics.broadcast(scope, 4, 1);
        metrics.catchUpPage(scope, ChangesMode.CATCH_UP, 20, 2048);
        metrics.catchUpPage(scope, ChangesMode.CATCH_UP, 5, 512);
        metrics.catchUpLag(scope, ChangesMode.CATCH_UP, 25);
        metrics.storeLatency("apply", Duration.ofMillis(3));

        assertThat(registry.get("pocketsync.broadcast.fanout").summary().totalAmount()).isEqualTo(4);
        assertThat(registry.get("pocketsync.broadcast.dropped").counter().count()).isEqualTo(1);
        assertThat(registry.get("pocketsync.catchup.batches").tag("mode", "catch_up").counter().count()).isEqualTo(2);
        assertThat(registry.get("pocketsync.catchup.rows").tag("mode", "catch_up").counter().count()).isEqualTo(25);
        assertThat(registry.get("pocketsync.catchup.lag").tag("mode", "catch_up").summary().max()).isEqualTo(25);
        assertThat(registry.get("pocketsync.store.latency").tag("operation", "apply").timer().count()).isEqualTo(1);
        assertThat(registry.scrape()).contains("pocketsync_store_latency_seconds_count{operation=\"apply\"} 1");
    }

    @Test
    void sessionEventsAreTaggedWithoutTheScope() {
        metrics.sessionOpened(scope, "websocket");
        metrics.sessionRefused("mqtt", ErrorCode.AUTH_FAILED);

        assertThat(registry.get("pocketsync.sessions.opened").tag("transport", "websocket").counter().count()).isEqualTo(1);
        assertThat(registry.get("pocketsync.sessions.refused").tags("transport", "mqtt", "code", "AUTH_FAILED").counter().count())
                .isEqualTo(1);
        assertThat(registry.scrape()).doesNotContain("alice");
    }
}
