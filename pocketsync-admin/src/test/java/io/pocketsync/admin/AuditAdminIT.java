package io.pocketsync.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pocketsync.admin.AdminTestServer.Answer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scopes, recent changes, the conflict audit and rejected changes through the admin API, made by real devices: device B
 * writes offline, device A then writes the same item and the same unique emails and syncs, and B comes back. B's item
 * loses to A's later write (a conflict), and B's two users are refused for emails A holds (two rejected changes). B is
 * taken offline by revoking it for a while: its engine keeps running, so its writes are stamped when they are made.
 */
class AuditAdminIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private AdminTestServer server;
    private TestDevice a;
    private TestDevice b;

    @BeforeEach
    void conflictAndRejections() {
        server = AdminTestServer.start(dir, "node-audit", "team:team-token");
        a = new TestDevice(dir.resolve("a.db"), server.websocket(), "team", "team-token").start();
        b = new TestDevice(dir.resolve("b.db"), server.websocket(), "team", "team-token").start();
        await().atMost(WAIT).until(() -> a.connected() && b.connected());
        // B goes offline with its engine running (revoked for a while), so its writes keep the time they were made at
        server.post("api/scopes/team/devices/" + b.id() + "/revoke", null);
        await().atMost(WAIT).until(() -> !b.connected());
        b.execute("INSERT INTO items (id, title) VALUES ('r1', 'from-b')");
        b.execute("INSERT INTO users (id, email) VALUES ('b1', 'x@example.com')");
        b.execute("INSERT INTO users (id, email) VALUES ('b2', 'z@example.com')");
        a.execute("INSERT INTO users (id, email) VALUES ('a1', 'x@example.com')");
        a.execute("INSERT INTO users (id, email) VALUES ('a2', 'z@example.com')");
        a.execute("INSERT INTO items (id, title) VALUES ('r1', 'from-a')");
        await().atMost(WAIT).until(() -> server.get("api/scopes/team").path("head").asLong() == 3);
        server.post("api/scopes/team/devices/" + b.id() + "/allow", null);
        await().atMost(WAIT).until(() -> audit("").size() == 3 && b.connected() && b.pending() == 0);
    }

    @AfterEach
    void stop() {
        a.close();
        b.close();
        server.close();
    }

    private List<JsonNode> audit(String query) {
        List<JsonNode> entries = new ArrayList<>();
        server.get("api/scopes/team/audit" + query).path("entries").forEach(entries::add);
        return entries;
    }

    @Test
    void scopesShowTheirHeadAndRowCountsAndRecentChangesComeNewestFirst() {
        JsonNode scopes = server.get("api/scopes");
        JsonNode team = scopes.path("scopes").get(0);
        assertThat(team.path("scope").asText()).isEqualTo("team");
        assertThat(team.path("head").asLong()).isEqualTo(3);
        assertThat(team.path("rows").asLong()).isEqualTo(3);
        assertThat(team.path("tables").path("users").asLong()).isEqualTo(2);
        assertThat(team.path("tables").path("items").asLong()).isEqualTo(1);
        assertThat(team.path("sessionsHere").asInt()).isEqualTo(2);
        assertThat(server.get("api/scopes/team")).isEqualTo(team);
        assertThat(server.call("GET", "api/scopes/nobody", null).status()).isEqualTo(404);

        JsonNode changes = server.get("api/scopes/team/changes?limit=2");
        assertThat(changes.path("rows")).hasSize(2);
        assertThat(changes.path("rows").get(0).path("table").asText()).isEqualTo("items");
        assertThat(changes.path("rows").get(0).path("image").path("title").asText()).isEqualTo("from-a");
        assertThat(changes.path("rows").get(0).path("lastSequence").asLong()).isEqualTo(3);
        assertThat(changes.path("rows").get(1).path("lastSequence").asLong()).isEqualTo(2);
        assertThat(server.call("GET", "api/scopes/team/changes?limit=0", null).errorCode()).isEqualTo("INVALID_FIELD");
    }

    @Test
    void aConflictShowsBothSidesAndTheWinner() {
        JsonNode conflict = audit("?status=superseded").get(0);

        assertThat(conflict.path("status").asText()).isEqualTo("SUPERSEDED");
        assertThat(conflict.path("change").path("device").asText()).isEqualTo(b.id());
        assertThat(conflict.path("change").path("image").path("title").asText()).isEqualTo("from-b");
        JsonNode winner = conflict.path("winner");
        assertThat(winner.path("current").asBoolean()).isTrue();
        assertThat(winner.path("stored").path("device").asText()).isEqualTo(a.id());
        assertThat(winner.path("stored").path("image").path("title").asText()).isEqualTo("from-a");
        assertThat(winner.path("changeId").asText()).isEqualTo(winner.path("stored").path("changeId").asText());
        assertThat(Instant.parse(conflict.path("change").path("time").asText()))
                .isBefore(Instant.parse(winner.path("stored").path("time").asText()));
        assertThat(b.title("r1")).isEqualTo("from-a");
    }

    @Test
    void theAuditFiltersByStatusTableRowDeviceAndTimeAndPages() {
        List<JsonNode> all = audit("");
        assertThat(all).extracting(entry -> entry.path("status").asText()).containsExactly("SUPERSEDED", "REJECTED", "REJECTED");
        String rowOfB1 = all.get(1).path("change").path("row").asText();

        assertThat(audit("?table=users")).hasSize(2);
        assertThat(audit("?row=" + rowOfB1)).extracting(entry -> entry.path("id").asLong()).containsExactly(all.get(1).path("id").asLong());
        assertThat(audit("?table=users&status=REJECTED&device=" + b.id())).hasSize(2);
        assertThat(audit("?device=" + a.id())).isEmpty();
        Instant at = Instant.parse(all.get(0).path("at").asText());
        assertThat(audit("?since=" + at.plusSeconds(60))).isEmpty();
        assertThat(audit("?until=" + at.minusSeconds(60))).isEmpty();
        assertThat(audit("?since=" + at.minusSeconds(60).toEpochMilli() + "&until=" + at.plusSeconds(60))).hasSize(3);
        assertThat(audit("?order=newest")).extracting(entry -> entry.path("id").asLong())
                .containsExactly(all.get(2).path("id").asLong(), all.get(1).path("id").asLong(), all.get(0).path("id").asLong());

        JsonNode first = server.get("api/scopes/team/audit?limit=2");
        assertThat(first.path("entries")).hasSize(2);
        JsonNode second = server.get("api/scopes/team/audit?limit=2&after=" + first.path("next").path("after").asLong());
        assertThat(second.path("entries")).hasSize(1);
        assertThat(second.path("next").isNull()).isTrue();
        JsonNode newest = server.get("api/scopes/team/audit?order=newest&limit=2");
        JsonNode older = server.get("api/scopes/team/audit?limit=2&before=" + newest.path("next").path("before").asLong());
        assertThat(older.path("entries").get(0).path("id").asLong()).isEqualTo(all.get(0).path("id").asLong());

        for (String bad : List.of("?status=LOST", "?since=yesterday", "?limit=501", "?after=-1", "?order=newest&after=2",
                "?tabel=items")) {
            Answer answer = server.call("GET", "api/scopes/team/audit" + bad, null);
            assertThat(answer.status()).as(bad).isEqualTo(400);
            assertThat(answer.errorCode()).as(bad).isEqualTo("INVALID_FIELD");
        }
    }

    @Test
    void rejectedChangesCanBeDroppedOrRetriedOnce() {
        List<JsonNode> rejected = new ArrayList<>();
        server.get("api/scopes/team/rejected").path("entries").forEach(rejected::add);
        assertThat(rejected).hasSize(2);
        assertThat(rejected).allSatisfy(entry -> assertThat(entry.path("errorCode").asText()).isEqualTo("UNIQUE_CONFLICT"));
        long b2 = rejected.get(0).path("id").asLong();
        long b1 = rejected.get(1).path("id").asLong();
        assertThat(b.email("b1")).as("moved to B's dead letters").isNull();

        JsonNode dropped = server.post("api/scopes/team/rejected/" + b2 + "/drop", null);
        assertThat(dropped.path("action").asText()).isEqualTo("dropped");
        assertThat(server.get("api/scopes/team/rejected").path("entries")).hasSize(1);
        Answer again = server.call("POST", "api/scopes/team/rejected/" + b2 + "/drop", null);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.errorCode()).isEqualTo("INVALID_FIELD");
        long conflict = audit("?status=SUPERSEDED").get(0).path("id").asLong();
        assertThat(server.call("POST", "api/scopes/team/rejected/" + conflict + "/retry", null).status()).isEqualTo(409);
        assertThat(server.call("POST", "api/scopes/team/rejected/999/retry", null).errorCode()).isEqualTo("NOT_FOUND");
        assertThat(server.call("POST", "api/scopes/team/rejected/abc/retry", null).status()).isEqualTo(400);

        // A gives the email up: B's refused row can be stored now
        a.execute("UPDATE users SET email = 'y@example.com' WHERE id = 'a1'");
        await().atMost(WAIT).until(() -> server.get("api/scopes/team").path("head").asLong() == 4);
        JsonNode retried = server.post("api/scopes/team/rejected/" + b1 + "/retry", "{}");

        assertThat(retried.path("action").asText()).isEqualTo("retried");
        assertThat(retried.path("outcome").asText()).isEqualTo("APPLIED");
        assertThat(retried.path("changeId").asText()).startsWith("operator-retry-");
        assertThat(server.get("api/scopes/team/rejected").path("entries")).isEmpty();
        await().atMost(WAIT).until(() -> "x@example.com".equals(a.email("b1")) && "x@example.com".equals(b.email("b1")));
        assertThat(audit("").get(1).path("handled").path("action").asText()).isEqualTo("retried");
    }
}
