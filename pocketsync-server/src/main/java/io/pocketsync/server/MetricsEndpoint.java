package io.pocketsync.server;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pocketsync.api.Health;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves, with the JDK's HTTP server:
 * <ul>
 *   <li>{@code GET /health/live} (and {@code /health}): 200 {@code UP} while the process serves, 503 {@code DOWN} once
 *       it stops. A supervisor restarts on DOWN.</li>
 *   <li>{@code GET /health/ready}: 200 while every part (store, each transport) can serve, else 503; the body is JSON
 *       naming each part, up or not, and why. A load balancer sends no devices while it is 503.</li>
 *   <li>{@code GET /metrics}: the Prometheus text format.</li>
 * </ul>
 * Bound to 127.0.0.1 unless told otherwise: put a reverse proxy in front to expose it.
 *
 * <p>Lifecycle: {@link #start} binds; {@link #close} stops it. Thread-safe.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsEndpoint(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds 127.0.0.1:{@code port} (0 picks a free port) and starts serving, with no parts to report ready.
     *
     * @param port the TCP port, 0-65535; 0 picks a free one, see {@link #port()}
     * @param registry the meters {@code /metrics} scrapes in the Prometheus text format; not null
     * @param healthy whether {@code /health} reports UP (200) rather than DOWN (503); asked on every request
     * @return the running endpoint, which the caller closes
     * @throws IOException when the port cannot be bound
     */
    public static MetricsEndpoint start(int port, PrometheusMeterRegistry registry, BooleanSupplier healthy) throws IOException {
        return start(InetAddress.getLoopbackAddress(), port, registry, healthy, Map::of);
    }

    /**
     * Binds {@code bind}:{@code port} (0 picks a free port) and starts serving.
     *
     * @param bind the address to listen on; 127.0.0.1 unless the operator asked otherwise
     * @param port the TCP port, 0-65535; 0 picks a free one, see {@link #port()}
     * @param registry the meters {@code /metrics} scrapes in the Prometheus text format; not null
     * @param live whether {@code /health/live} reports UP (200) rather than DOWN (503); asked on every request
     * @param parts each part's health for {@code /health/ready}; asked on every request (ready needs live too)
     * @return the running endpoint, which the caller closes
     * @throws IOException when the port cannot be bound
     */
    public static MetricsEndpoint start(InetAddress bind, int port, PrometheusMeterRegistry registry, BooleanSupplier live,
            Supplier<Map<String, Health>> parts) throws IOException {
        requireNonNull(bind, "bind is null");
        requireNonNull(registry, "registry is null");
        requireNonNull(live, "live is null");
        requireNonNull(parts, "parts is null");
        HttpServer server = HttpServer.create(new InetSocketAddress(bind, port), 0);
        HttpHandler liveness = exchange -> {
            boolean up = live.getAsBoolean();
            respond(exchange, up ? 200 : 503, "text/plain; charset=utf-8", up ? "UP\n" : "DOWN\n");
        };
        server.createContext("/health", liveness);
        server.createContext("/health/live", liveness);
        server.createContext("/health/ready", exchange -> {
            Map<String, Health> health = live.getAsBoolean() ? parts.get() : Map.of("server", Health.down("server stopped"));
            boolean up = health.values().stream().allMatch(Health::up);
            respond(exchange, up ? 200 : 503, "application/json", readyJson(up, health));
        });
        server.createContext("/metrics", exchange -> respond(exchange, 200, PROMETHEUS_TEXT, registry.scrape()));
        ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "pocketsync-metrics-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.start();
        log.info("Metrics on http://{}:{}/metrics, health on /health/live and /health/ready", server.getAddress().getHostString(),
                server.getAddress().getPort());
        return new MetricsEndpoint(server, executor);
    }

    /**
     * The bound port.
     *
     * @return the actual port, the system-chosen one when 0 was asked
     */
    public int port() {
        return server.getAddress().getPort();
    }

    /** {"status":"UP","parts":{"store":{"up":true,"detail":"ok"},...}} */
    static String readyJson(boolean up, Map<String, Health> parts) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        Map<String, Object> each = new LinkedHashMap<>();
        parts.forEach((name, health) -> {
            Map<String, Object> part = new LinkedHashMap<>();
            part.put("up", health.up());
            part.put("detail", health.detail());
            each.put(name, part);
        });
        body.put("parts", each);
        try {
            return JSON.writeValueAsString(body) + "\n";
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the readiness body", e);
        }
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            // Exact paths only: /healthz or /metrics/x are 404, not silently the same page.
            String path = exchange.getRequestURI().getPath();
            if (!path.equals(exchange.getHttpContext().getPath())) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
