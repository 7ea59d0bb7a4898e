package io.pocketsync.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pocketsync.api.Health;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class MetricsEndpointIT {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesHealthAndPrometheusText() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.counter("pocketsync.test.counter").increment(3);
        AtomicBoolean healthy = new AtomicBoolean(true);

        try (MetricsEndpoint endpoint = MetricsEndpoint.start(0, registry, healthy::get)) {
            HttpResponse<String> health = get(endpoint.port(), "/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("UP\n");

            HttpResponse<String> metrics = get(endpoint.port(), "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
            assertThat(metrics.body()).contains("pocketsync_test_counter_total 3.0");

            assertThat(get(endpoint.port(), "/metrics/other").statusCode()).isEqualTo(404);

            healthy.set(false);
            assertThat(get(endpoint.port(), "/health").statusCode()).isEqualTo(503);
        }
    }

    @Test
    void readyReportsEveryPartAndFailsWhileOneIsDown() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AtomicBoolean live = new AtomicBoolean(true);
        AtomicReference<Health> store = new AtomicReference<>(Health.ok());
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(InetAddress.getLoopbackAddress(), 0, registry, live::get,
                () -> Map.of("store", store.get()))) {
            HttpResponse<String> ready = get(endpoint.port(), "/health/ready");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo("{\"status\":\"UP\",\"parts\":{\"store\":{\"up\":true,\"detail\":\"ok\"}}}\n");

            store.set(Health.down("SQLITE_FULL: \"disk\" full"));
            ready = get(endpoint.port(), "/health/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("\"status\":\"DOWN\"", "\"detail\":\"SQLITE_FULL: \\\"disk\\\" full\"");
            assertThat(get(endpoint.port(), "/health/live").statusCode()).isEqualTo(200);

            store.set(Health.ok());
            live.set(false);
            assertThat(get(endpoint.port(), "/health/ready").statusCode()).isEqualTo(503);
            assertThat(get(endpoint.port(), "/health/live").statusCode()).isEqualTo(503);
        }
    }
}
