package io.pocketsync.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pocketsync.admin.AdminTestServer.Answer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin port as a client meets it: the token, server info, the console's files, and how bad requests are answered. */
class AdminAccessIT {
    @TempDir
    Path dir;

    private AdminTestServer server;

    @BeforeEach
    void start() {
        server = AdminTestServer.start(dir, "node-access", "team:team-token");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void everyApiCallNeedsTheAdminTokenAndARefusalSaysWhy() {
        for (String path : List.of("api/info", "api/scopes", "api/scopes/team/devices", "api/no-such-path")) {
            Answer missing = server.call("GET", path, null, null);
            assertThat(missing.status()).as(path).isEqualTo(401);
            assertThat(missing.errorCode()).isEqualTo("AUTH_FAILED");
            assertThat(missing.body().path("error").path("message").asText()).contains("Authorization: Bearer");
            assertThat(missing.response().headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));

            Answer wrong = server.call("GET", path, null, AdminTestServer.TOKEN + "x");
            assertThat(wrong.status()).isEqualTo(401);
            assertThat(wrong.errorCode()).isEqualTo("AUTH_FAILED");
            assertThat(wrong.response().body()).doesNotContain(AdminTestServer.TOKEN);
        }
        Answer post = server.call("POST", "api/scopes/team/devices/dev/revoke", "{}", "not-the-token-at-all");
        assertThat(post.status()).isEqualTo(401);
    }

    @Test
    void infoNamesVersionNodeStoreTransportsAndNodes() {
        JsonNode info = server.get("api/info");

        assertThat(info.path("version").asText()).isEqualTo(AdminTestServer.VERSION);
        assertThat(info.path("node").asText()).isEqualTo("node-access");
        assertThat(info.path("store").path("name").asText()).isEqualTo("sqlite");
        assertThat(info.path("store").path("up").asBoolean()).isTrue();
        JsonNode websocket = info.path("transports").get(0);
        assertThat(websocket.path("name").asText()).isEqualTo("websocket");
        assertThat(websocket.path("address").asText()).isEqualTo(server.websocket().toString());
        assertThat(websocket.path("up").asBoolean()).isTrue();
        assertThat(info.path("nodes").get(0).path("node").asText()).isEqualTo("node-access");
        assertThat(info.path("nodes").get(0).path("here").asBoolean()).isTrue();
        assertThat(info.path("sessions").asInt()).isZero();
    }

    @Test
    void theConsoleIsServedWithoutTheTokenAndHoldsNoData() {
        Answer page = server.call("GET", "", null, null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.response().headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.response().headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
                policy -> assertThat(policy).contains("default-src 'self'"));
        assertThat(page.response().body()).contains("<script src=\"console.js\"").doesNotContain(AdminTestServer.TOKEN);
        assertThat(server.call("GET", "console.js", null, null).status()).isEqualTo(200);
        assertThat(server.call("GET", "console.css", null, null).status()).isEqualTo(200);
        assertThat(server.call("GET", "secrets.txt", null, null).status()).isEqualTo(404);
        Answer post = server.call("POST", "", "x", null);
        assertThat(post.status()).isEqualTo(405);
    }

    @Test
    void unknownPathsMethodsAndParametersAreRefusedWithACode() {
        Answer path = server.call("GET", "api/scope", null);
        assertThat(path.status()).isEqualTo(404);
        assertThat(path.errorCode()).isEqualTo("NOT_FOUND");

        Answer method = server.call("DELETE", "api/scopes", null);
        assertThat(method.status()).isEqualTo(405);
        assertThat(method.errorCode()).isEqualTo("METHOD_NOT_ALLOWED");
        assertThat(method.response().headers().firstValue("Allow")).hasValue("GET");
        Answer getOnPost = server.call("GET", "api/scopes/team/devices/dev-a/revoke", null);
        assertThat(getOnPost.status()).isEqualTo(405);
        assertThat(getOnPost.body().path("error").path("message").asText()).contains("POST");

        Answer parameter = server.call("GET", "api/scopes?limt=5", null);
        assertThat(parameter.status()).isEqualTo(400);
        assertThat(parameter.errorCode()).isEqualTo("INVALID_FIELD");
        assertThat(parameter.body().path("error").path("message").asText()).contains("limt");

        Answer twice = server.call("GET", "api/info?a=1&a=2", null);
        assertThat(twice.status()).isEqualTo(400);
        assertThat(twice.body().path("error").path("message").asText()).contains("more than once");

        Answer identifier = server.call("GET", "api/scopes/no%20spaces/devices", null);
        assertThat(identifier.status()).isEqualTo(400);
        assertThat(identifier.errorCode()).isEqualTo("IDENTIFIER_INVALID");
    }

    @Test
    void badBodiesAreRefusedBeforeAnythingIsDone() {
        String revoke = "api/scopes/team/devices/dev-a/revoke";
        Answer notJson = server.call("POST", revoke, "{reason:", AdminTestServer.TOKEN);
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.errorCode()).isEqualTo("MALFORMED_MESSAGE");

        Answer array = server.call("POST", revoke, "[]");
        assertThat(array.status()).isEqualTo(400);
        assertThat(array.errorCode()).isEqualTo("MALFORMED_MESSAGE");

        Answer field = server.call("POST", revoke, "{\"reasn\":\"x\"}");
        assertThat(field.status()).isEqualTo(400);
        assertThat(field.errorCode()).isEqualTo("INVALID_FIELD");
        assertThat(field.body().path("error").path("message").asText()).contains("reasn").contains("reason");

        Answer type = server.call("POST", revoke, "{\"reason\":5}");
        assertThat(type.status()).isEqualTo(400);
        assertThat(type.errorCode()).isEqualTo("INVALID_FIELD");

        Answer large = server.call("POST", revoke, "{\"reason\":\"" + "x".repeat(70_000) + "\"}");
        assertThat(large.status()).isEqualTo(413);
        assertThat(large.errorCode()).isEqualTo("MESSAGE_TOO_LARGE");

        Answer unknown = server.call("POST", revoke, "{\"reason\":\"typo\"}");
        assertThat(unknown.status()).as("no such device: nothing revoked").isEqualTo(404);
        assertThat(unknown.errorCode()).isEqualTo("NOT_FOUND");
        assertThat(unknown.body().path("error").path("message").asText()).contains("dev-a");
    }
}
