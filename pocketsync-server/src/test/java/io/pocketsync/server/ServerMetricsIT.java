package io.pocketsync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.device.PocketSyncDevice;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a Prometheus scrape of a running server with a syncing device gets: JVM and process meters,
 * {@code pocketsync_build_info}, latency histograms with buckets, and a non-empty HELP line for every family.
 */
class ServerMetricsIT {
    private static final Pattern HELP = Pattern.compile("^# HELP (\\S+) ?(.*)$", Pattern.MULTILINE);
    private static final Pattern TYPE = Pattern.compile("^# TYPE (\\S+) (\\S+)$", Pattern.MULTILINE);

    @TempDir
    Path dir;

    @Test
    void aScrapeHasJvmMetersBuildInfoHistogramsAndHelpOnEveryFamily() throws Exception {
        String scope = "metrics-" + UUID.randomUUID();
        ServerSettings settings = ServerSettings.of(Map.of(ServerSettings.PORT, "0", ServerSettings.METRICS_PORT, "0",
                ServerSettings.SQLITE_PATH, dir.resolve("server.db").toString(), ServerSettings.TOKENS, scope + ":tok-1"));
        Path phoneDb = dir.resolve("phone.db");
        TestDatabases.createTodo(phoneDb);
        try (ServerRuntime server = ServerRuntime.start(settings);
                PocketSyncDevice phone = PocketSyncDevice.builder().database(phoneDb).tables("todo").server(server.webSocketUri())
                        .scope(scope).token("tok-1").transport("websocket").build()) {
            phone.start();
            TestDatabases.execute(phoneDb, "INSERT INTO todo (id, title) VALUES ('m1', 'measured')");
            await().atMost(Duration.ofSeconds(20)).until(() -> phone.pendingCount() == 0
                    && scrape(server).contains("pocketsync_push_latency_seconds_count"));

            String text = scrape(server);
            assertThat(text).contains("jvm_memory_used_bytes{", "jvm_threads_live_threads", "jvm_classes_loaded_classes",
                    "process_cpu_usage", "process_uptime_seconds", "system_cpu_count");
            assertThat(text).containsPattern("jvm_gc_[a-z_]+");
            assertThat(text).containsPattern("(?m)^pocketsync_build_info\\{java=\"[^\"]+\",version=\"[^\"]+\"} 1(\\.0)?$");
            assertThat(text).containsPattern("(?m)^pocketsync_store_latency_seconds_bucket\\{operation=\"apply\",le=\"[0-9.]+\"}");
            assertThat(text).containsPattern("(?m)^pocketsync_push_latency_seconds_bucket\\{le=\"\\+Inf\"} [1-9]");
            assertThat(text).doesNotContain("code=\"none\"");

            Map<String, String> help = new LinkedHashMap<>();
            Matcher helps = HELP.matcher(text);
            while (helps.find()) {
                help.put(helps.group(1), helps.group(2).trim());
            }
            Matcher types = TYPE.matcher(text);
            int families = 0;
            while (types.find()) {
                families++;
                assertThat(help).as("HELP of %s", types.group(1)).containsKey(types.group(1));
            }
            assertThat(families).isGreaterThan(20);
            assertThat(help).allSatisfy((family, description) -> assertThat(description).as("HELP of %s", family).isNotEmpty());
        }
    }

    private static String scrape(ServerRuntime server) {
        HttpResponse<String> response = TestPorts.get(server.metricsEndpoint().orElseThrow().port(), "/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
