package io.pocketsync.it.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.device.capture.DeadLetters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two rows with different keys claiming one UNIQUE value: the server keeps the first, refuses the other with
 * {@code UNIQUE_CONFLICT}, and every device ends with the same rows. Only the origin of the refused row has a dead
 * letter, which the app retries with another value (the row then syncs everywhere) or drops.
 */
class UniqueConflictE2eTest {
    private static final String[] SCHEMA = {
        "CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT UNIQUE, name TEXT)",
        // a rowid table with two UNIQUE indexes: the first names the row, the second is claimed on the server
        "CREATE TABLE Tag (TagId INTEGER PRIMARY KEY, Name TEXT NOT NULL UNIQUE, Slug TEXT UNIQUE)",
    };
    private static final String USERS = "SELECT id, email, name, ps_global_id FROM users ORDER BY id";
    private static final String TAGS = "SELECT Name, Slug, ps_global_id FROM Tag ORDER BY Name";

    @TempDir
    Path dir;
    private E2eHarness harness;

    @BeforeEach
    void startServer() {
        harness = new E2eHarness(dir);
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void twoKeysClaimingOneEmailLeaveOneRowEverywhereAndADeadLetterOnlyAtTheLosingOrigin() {
        E2eHarness.Node a = device("a");
        E2eHarness.Node b = device("b");
        a.disconnect();
        b.disconnect();
        a.db.exec("INSERT INTO users (id, email, name) VALUES ('a1', 'x@example.com', 'Ann')");
        b.db.exec("INSERT INTO users (id, email, name) VALUES ('b1', 'x@example.com', 'Bob')",
                "INSERT INTO users (id, email, name) VALUES ('b2', 'other@example.com', 'Bea')");
        a.online();
        await().atMost(Duration.ofSeconds(20)).until(() -> a.engine.pendingCount() == 0);
        b.online();

        awaitSame(a, b);
        assertThat(a.db.query("SELECT id, email FROM users ORDER BY id")).containsExactly(
                Map.of("id", "a1", "email", "x@example.com"), Map.of("id", "b2", "email", "other@example.com"));
        assertThat(a.engine.deadLetters().list()).isEmpty();
        List<DeadLetters.Entry> parked = b.engine.deadLetters().list();
        assertThat(parked).hasSize(1);
        DeadLetters.Entry entry = parked.get(0);
        assertThat(entry.code()).isEqualTo(ErrorCode.UNIQUE_CONFLICT);
        assertThat(entry.table()).isEqualTo("users");
        assertThat(entry.row()).containsEntry("id", "b1").containsEntry("email", "x@example.com").containsEntry("name", "Bob");
        assertThat(entry.message()).contains("email");
        assertThat(b.db.query("SELECT state, reason FROM __pocketsync_changes WHERE state = 'rejected'"))
                .singleElement().satisfies(r -> assertThat((String) r.get("reason")).startsWith("UNIQUE_CONFLICT"));

        // unchanged, it still collides here with the row that won
        assertThat(b.engine.deadLetters().retry(entry.id()).applied()).isFalse();
        DeadLetters.Retry retried = b.engine.deadLetters().retry(entry.id(), Map.of("email", "bob@example.com"));

        assertThat(retried.applied()).as("%s", retried).isTrue();
        awaitSame(a, b);
        assertThat(a.db.query("SELECT id, email FROM users ORDER BY id")).containsExactly(
                Map.of("id", "a1", "email", "x@example.com"), Map.of("id", "b1", "email", "bob@example.com"),
                Map.of("id", "b2", "email", "other@example.com"));
        assertThat(b.engine.deadLetters().list()).isEmpty();
        assertThat(a.errors).isEmpty();
    }

    @Test
    void theWinningRowParkedAtTheOriginBeforeItsRefusalArrivesIsAppliedWhenTheRefusedRowLeaves() {
        E2eHarness.Node a = device("a");
        E2eHarness.Node b = device("b");
        awaitSame(a, b);
        // b's push waits while a's row arrives live: the two collide here, and a's is parked
        harness.store.failAppliesFrom(b.engine.deviceId());
        b.db.exec("INSERT INTO users (id, email, name) VALUES ('b1', 'x@example.com', 'Bob')");
        a.db.exec("INSERT INTO users (id, email, name) VALUES ('a1', 'x@example.com', 'Ann')");
        await().atMost(Duration.ofSeconds(20)).until(() -> b.engine.deadLetters().list().stream()
                .anyMatch(e -> e.code() == ErrorCode.KEY_COLLISION));
        harness.store.failAppliesFrom(null);

        awaitSame(a, b);
        assertThat(b.db.query("SELECT id FROM users")).containsExactly(Map.of("id", "a1"));
        assertThat(b.engine.deadLetters().list()).extracting(DeadLetters.Entry::code).containsExactly(ErrorCode.UNIQUE_CONFLICT);
        assertThat(a.engine.deadLetters().list()).isEmpty();
    }

    @Test
    void anEditTakingAHeldValueIsUndoneAtItsOriginAndCanBeDropped() {
        E2eHarness.Node a = device("a");
        E2eHarness.Node b = device("b");
        a.db.exec("INSERT INTO Tag (Name, Slug) VALUES ('Rock', 'rock')", "INSERT INTO Tag (Name, Slug) VALUES ('Metal', 'metal')");
        awaitSame(a, b);
        a.disconnect();
        b.disconnect();
        a.db.exec("INSERT INTO Tag (Name, Slug) VALUES ('Hard Rock', 'hard')");
        b.db.exec("UPDATE Tag SET Slug = 'hard' WHERE Name = 'Metal'");
        a.online();
        await().atMost(Duration.ofSeconds(20)).until(() -> a.engine.pendingCount() == 0);
        b.online();

        awaitSame(a, b);
        assertThat(b.db.query("SELECT Name, Slug FROM Tag ORDER BY Name")).containsExactly(
                Map.of("Name", "Hard Rock", "Slug", "hard"), Map.of("Name", "Metal", "Slug", "metal"),
                Map.of("Name", "Rock", "Slug", "rock"));
        assertThat(a.engine.deadLetters().list()).isEmpty();
        DeadLetters.Entry entry = b.engine.deadLetters().list().get(0);
        assertThat(entry.code()).isEqualTo(ErrorCode.UNIQUE_CONFLICT);
        assertThat(entry.row()).containsEntry("Name", "Metal").containsEntry("Slug", "hard");

        assertThat(b.engine.deadLetters().drop(entry.id())).isTrue();
        assertThat(b.engine.deadLetters().list()).isEmpty();
        awaitSame(a, b);
    }

    private E2eHarness.Node device(String name) {
        return harness.device(name, SCHEMA, "users", "Tag");
    }

    /** Waits until the devices hold the same rows with the same ids and nothing is pending. */
    private static void awaitSame(E2eHarness.Node... devices) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (E2eHarness.Node device : devices) {
                assertThat(device.engine.pendingCount()).isZero();
                assertThat(device.db.query(USERS)).isEqualTo(devices[0].db.query(USERS));
                assertThat(device.db.query(TAGS)).isEqualTo(devices[0].db.query(TAGS));
            }
        });
    }
}
