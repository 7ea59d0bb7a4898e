package io.pocketsync.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pocketsync.core.config.Settings;
import io.pocketsync.server.engine.assembly.PocketSyncServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A real server for admin tests: the SQLite store in a temporary directory, WebSocket on a free loopback port, static
 * tokens for the scopes given, and the admin API on another free port; plus an HTTP client that calls the API.
 */
final class AdminTestServer implements AutoCloseable {
    static final String TOKEN = "admin-" + UUID.randomUUID();
    /** The version the admin API reports: the build's (failsafe passes it), as the server command does. */
    static final String VERSION = System.getProperty("pocketsync.version", "dev");

    private final PocketSyncServer server;
    private final AdminServer admin;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    private AdminTestServer(PocketSyncServer server, AdminServer admin) {
        this.server = server;
        this.admin = admin;
    }

    /** A server on the SQLite store at {@code dir} granting each {@code scope:token}, and its admin API. */
    static AdminTestServer start(Path dir, String nodeId, String... scopeTokens) {
        return start(Map.of("server.store", "sqlite", "store.sqlite.path", dir.resolve("server.db").toString()), nodeId,
                scopeTokens);
    }

    /** A server on the store {@code storeKeys} configure granting each {@code scope:token}, and its admin API. */
    static AdminTestServer start(Map<String, String> storeKeys, String nodeId, String... scopeTokens) {
        Map<String, String> keys = new LinkedHashMap<>(storeKeys);
        keys.put("server.transports", "websocket");
        keys.put("transport.websocket.port", "0");
        keys.put("server.auth", "static-token");
        keys.put("auth.static-token.tokens", String.join(",", scopeTokens));
        keys.put("server.node-id", nodeId);
        PocketSyncServer server = PocketSyncServer.start(Settings.of(keys));
        try {
            AdminServer admin = AdminServer.start(new AdminOptions(InetAddress.getLoopbackAddress(), 0, TOKEN), server,
                    VERSION, keys.get("server.store"));
            return new AdminTestServer(server, admin);
        }
        catch (IOException | RuntimeException e) {
            server.close();
            throw new IllegalStateException("admin server did not start", e);
        }
    }

    PocketSyncServer server() {
        return server;
    }

    URI websocket() {
        return server.address("websocket").orElseThrow();
    }

    URI console() {
        return admin.uri();
    }

    /** An answer: status, JSON body (or null), and the raw response. */
    record Answer(int status, JsonNode body, HttpResponse<String> response) {
        String errorCode() {
            return body == null ? null : body.path("error").path("code").asText(null);
        }
    }

    Answer call(String method, String path, String body, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(admin.uri().resolve(path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode node = response.body().isEmpty() || !response.headers().firstValue("Content-Type").orElse("")
                    .startsWith("application/json") ? null : json.readTree(response.body());
            return new Answer(response.statusCode(), node, response);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A call with the admin token. */
    Answer call(String method, String path, String body) {
        return call(method, path, body, TOKEN);
    }

    /** GET with the admin token, expecting 200. */
    JsonNode get(String path) {
        Answer answer = call("GET", path, null);
        assertThat(answer.status()).as("GET %s: %s", path, answer.response().body()).isEqualTo(200);
        return answer.body();
    }

    /** POST with the admin token, expecting 200. */
    JsonNode post(String path, String body) {
        Answer answer = call("POST", path, body);
        assertThat(answer.status()).as("POST %s: %s", path, answer.response().body()).isEqualTo(200);
        return answer.body();
    }

    @Override
    public void close() {
        admin.close();
        server.close();
    }
}
