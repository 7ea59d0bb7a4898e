package io.pocketsync.admin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.server.engine.assembly.PocketSyncServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API and the web console on a port of their own (docs/admin-api.md): JSON over HTTP under {@code /api/},
 * every call carrying {@code Authorization: Bearer <admin token>}, and the console's static page at {@code /}.
 *
 * <p>Served by the JDK's {@code com.sun.net.httpserver} with a small {@link Router}: the API is a dozen routes of small
 * JSON bodies for a handful of operators, which that server carries without a dependency (the metrics endpoint uses it
 * too); requests are validated by {@link AdminRequest}, and every refusal is a 4xx with a code. Two worker threads; a
 * request body is at most 64 KiB. Bound to 127.0.0.1 unless told otherwise: put a TLS reverse proxy in front to reach
 * it from elsewhere.
 *
 * <p>Lifecycle: {@link #start} binds and serves; {@link #close} stops. The server it describes is the caller's. Thread-safe.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    private static final int MAX_BODY_BYTES = 64 * 1024;
    private static final String CONSOLE_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private final HttpServer http;
    private final ExecutorService executor;
    private final AdminAccess access;
    private final Router router = new Router();
    private final ConsoleFiles console = new ConsoleFiles();
    private final ObjectMapper mapper = new ObjectMapper();

    private AdminServer(HttpServer http, ExecutorService executor, AdminOptions options, PocketSyncServer server, String version,
            String storeName) {
        this.http = http;
        this.executor = executor;
        this.access = new AdminAccess(options.token());
        AdminJson json = new AdminJson(mapper);
        new InfoRoute(server, version, storeName, json).register(router);
        new ScopeRoutes(server.engine().admin(), json).register(router);
        new DeviceRoutes(server.engine().admin(), json).register(router);
    }

    /**
     * Binds and starts serving.
     *
     * @param options the address, port and token
     * @param server the running server the API describes and acts on; not closed by this
     * @param version the PocketSync version {@code /api/info} reports
     * @param storeName the store provider's name {@code /api/info} reports, e.g. {@code sqlite}
     * @return the running admin server, which the caller closes
     * @throws IOException when the port cannot be bound
     */
    public static AdminServer start(AdminOptions options, PocketSyncServer server, String version, String storeName)
            throws IOException {
        requireNonNull(options, "options is null");
        requireNonNull(server, "server is null");
        requireNonNull(version, "version is null");
        requireNonNull(storeName, "storeName is null");
        HttpServer http = HttpServer.create(new InetSocketAddress(options.bind(), options.port()), 0);
        AtomicInteger threads = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "pocketsync-admin-http-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        AdminServer admin = new AdminServer(http, executor, options, server, version, storeName);
        http.createContext("/", admin::handle);
        http.setExecutor(executor);
        http.start();
        LOG.info("Admin API on {}api/ and the console on {}", admin.uri(), admin.uri());
        return admin;
    }

    /**
     * The bound port.
     *
     * @return the actual port, the system-chosen one when 0 was asked
     */
    public int port() {
        return http.getAddress().getPort();
    }

    /**
     * Where the console is.
     *
     * @return for example {@code http://127.0.0.1:8790/}
     */
    public URI uri() {
        String host = http.getAddress().getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + "/");
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            if (path.equals("/api") || path.startsWith("/api/")) {
                api(exchange, path);
            }
            else {
                console(exchange, path);
            }
        }
    }

    private void api(HttpExchange exchange, String path) throws IOException {
        int status = 200;
        Object body;
        String method = exchange.getRequestMethod();
        try {
            access.check(exchange.getRequestHeaders().getFirst("Authorization"));
            List<String> segments = AdminPaths.segments(path);
            Router.Match match = router.find(method, segments);
            AdminRequest request = new AdminRequest(method, match.parameters(),
                    AdminPaths.query(exchange.getRequestURI().getRawQuery()), body(exchange), mapper);
            body = match.handler().handle(request);
        }
        catch (AdminException e) {
            status = e.status();
            body = error(e.code(), e.getMessage());
            if (status == 401) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"pocketsync-admin\"");
            }
            else if (status == 405) {
                exchange.getResponseHeaders().set("Allow", String.join(", ", router.methods(AdminPaths.segments(path))));
            }
        }
        catch (PocketSyncException e) {
            status = switch (e.code()) {
                case STORE_UNAVAILABLE -> 503;
                case NOT_FOUND -> 404;
                case INVALID_FIELD, IDENTIFIER_INVALID -> 400;
                default -> 500;
            };
            body = error(e.code(), status == 500 ? "the server failed: " + e.code() + "; see its log" : e.getMessage());
            LOG.warn("admin {} {} failed: {} {}", method, path, e.code(), e.getMessage());
        }
        catch (RuntimeException e) {
            status = 500;
            body = error(ErrorCode.INTERNAL, "unexpected failure; see the server log");
            LOG.error("admin {} {} failed", method, path, e);
        }
        byte[] bytes;
        try {
            bytes = mapper.writeValueAsBytes(body);
        }
        catch (JsonProcessingException e) {
            status = 500;
            bytes = "{\"error\":{\"code\":\"INTERNAL\",\"message\":\"cannot write the answer\"}}".getBytes(StandardCharsets.UTF_8);
        }
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        respond(exchange, status, "application/json", bytes);
    }

    private void console(HttpExchange exchange, String path) throws IOException {
        String method = exchange.getRequestMethod();
        ConsoleFiles.File file = console.find(path).orElse(null);
        if (file == null) {
            respond(exchange, 404, "text/plain; charset=utf-8", "not found\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            respond(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        exchange.getResponseHeaders().set("Content-Security-Policy", CONSOLE_POLICY);
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        respond(exchange, 200, file.contentType(), method.equals("HEAD") ? null : file.bytes());
    }

    private ObjectNode error(ErrorCode code, String message) {
        ObjectNode node = mapper.createObjectNode();
        node.putObject("error").put("code", code.name()).put("message", message);
        return node;
    }

    private static byte[] body(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                throw new AdminException(413, ErrorCode.MESSAGE_TOO_LARGE, "the body is larger than " + MAX_BODY_BYTES + " bytes");
            }
            return bytes;
        }
    }

    private static void respond(HttpExchange exchange, int status, String contentType, byte[] bytes) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
        exchange.sendResponseHeaders(status, bytes == null ? -1 : bytes.length);
        if (bytes != null) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
        LOG.info("Admin API stopped");
    }
}
