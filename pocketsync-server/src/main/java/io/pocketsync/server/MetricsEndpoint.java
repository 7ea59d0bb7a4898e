package io.pocketsync.server;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code GET /health} (200 {@code UP} while the server runs, 503 {@code DOWN} once it stops) and
 * {@code GET /metrics} (Prometheus text format) with the JDK's HTTP server, bound to 127.0.0.1 only:
 * put a reverse proxy in front to expose it.
 *
 * <p>Lifecycle: {@link #start} binds; {@link #close} stops it. Thread-safe.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsEndpoint(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds 127.0.0.1:{@code port} (0 picks a free port) and starts serving.
     *
     * @param port the TCP port, 0-65535; 0 picks a free one, see {@link #port()}
     * @param registry the meters {@code /metrics} scrapes in the Prometheus text format; not null
     * @param healthy whether {@code /health} reports UP (200) rather than DOWN (503); asked on every request
     * @return the running endpoint, which the caller closes
     * @throws IOException when the port cannot be bound
     */
    public static MetricsEndpoint start(int port, PrometheusMeterRegistry registry, BooleanSupplier healthy) throws IOException {
        requireNonNull(registry, "registry is null");
        requireNonNull(healthy, "healthy is null");
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/health", exchange -> {
            boolean up = healthy.getAsBoolean();
            respond(exchange, up ? 200 : 503, "text/plain; charset=utf-8", up ? "UP\n" : "DOWN\n");
        });
        server.createContext("/metrics", exchange -> respond(exchange, 200, PROMETHEUS_TEXT, registry.scrape()));
        ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "pocketsync-metrics-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.start();
        log.info("Metrics on http://{}:{}/metrics, health on /health", server.getAddress().getHostString(),
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
