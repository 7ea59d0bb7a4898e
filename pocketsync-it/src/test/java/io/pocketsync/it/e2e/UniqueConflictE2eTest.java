package io.pocketsync.it.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.device.DeviceOptions;
import io.pocketsync.device.PocketSyncDevice;
import io.pocketsync.device.SyncStatusListener;
import io.pocketsync.device.capture.DeadLetters;
import io.pocketsync.device.capture.TestDb;
import io.pocketsync.server.engine.ServerOptions;
import io.pocketsync.server.engine.SyncServer;
import io.pocketsync.server.engine.TableResolvers;
import io.pocketsync.server.engine.auth.AnonymousAuthenticator;
import io.pocketsync.testkit.store.InMemoryServerStore;
import io.pocketsync.testkit.transport.InMemoryNetwork;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
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
    private final InMemoryNetwork network = new InMemoryNetwork(100_000);
    private InMemoryServerStore store;
    private SyncServer server;
    private final List<Device> devices = new ArrayList<>();

    @BeforeEach
    void startServer() {
        store = new InMemoryServerStore();
        server = SyncServer.builder().store(store).authenticator(new AnonymousAuthenticator(Set.of()))
                .resolvers(TableResolvers.lastWriteWins()).options(ServerOptions.defaults()).build();
        server.start();
        network.serverTransport().start(server::accept);
    }

    @AfterEach
    void stop() {
        devices.forEach(d -> d.engine.close());
        network.close();
        server.close();
        store.close();
    }

    @Test
    void twoKeysClaimingOneEmailLeaveOneRowEverywhereAndADeadLetterOnlyAtTheLosingOrigin() {
        Device a = device("a");
        Device b = device("b");
        a.offline();
        b.offline();
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
        Device a = device("a");
        Device b = device("b");
        awaitSame(a, b);
        // b's push waits while a's row arrives live: the two collide here, and a's is parked
        store.failAppliesFrom(b.engine.deviceId());
        b.db.exec("INSERT INTO users (id, email, name) VALUES ('b1', 'x@example.com', 'Bob')");
        a.db.exec("INSERT INTO users (id, email, name) VALUES ('a1', 'x@example.com', 'Ann')");
        await().atMost(Duration.ofSeconds(20)).until(() -> b.engine.deadLetters().list().stream()
                .anyMatch(e -> e.code() == ErrorCode.KEY_COLLISION));
        store.failAppliesFrom(null);

        awaitSame(a, b);
        assertThat(b.db.query("SELECT id FROM users")).containsExactly(Map.of("id", "a1"));
        assertThat(b.engine.deadLetters().list()).extracting(DeadLetters.Entry::code).containsExactly(ErrorCode.UNIQUE_CONFLICT);
        assertThat(a.engine.deadLetters().list()).isEmpty();
    }

    @Test
    void anEditTakingAHeldValueIsUndoneAtItsOriginAndCanBeDropped() {
        Device a = device("a");
        Device b = device("b");
        a.db.exec("INSERT INTO Tag (Name, Slug) VALUES ('Rock', 'rock')", "INSERT INTO Tag (Name, Slug) VALUES ('Metal', 'metal')");
        awaitSame(a, b);
        a.offline();
        b.offline();
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

    private Device device(String name) {
        TestDb db = new TestDb(dir, name + ".db");
        db.exec(SCHEMA);
        Device device = new Device(db);
        devices.add(device);
        device.engine.start();
        return device;
    }

    /** Waits until the devices hold the same rows with the same ids and nothing is pending. */
    private static void awaitSame(Device... devices) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (Device device : devices) {
                assertThat(device.engine.pendingCount()).isZero();
                assertThat(device.db.query(USERS)).isEqualTo(devices[0].db.query(USERS));
                assertThat(device.db.query(TAGS)).isEqualTo(devices[0].db.query(TAGS));
            }
        });
    }

    private final class Device {
        final TestDb db;
        final PocketSyncDevice engine;
        final List<String> errors = new CopyOnWriteArrayList<>();

        Device(TestDb db) {
            this.db = db;
            this.engine = PocketSyncDevice.builder().dataSource(db.dataSource).tables("users", "Tag").scope("unique")
                    .server(URI.create("mem://server")).transport(network.clientTransport())
                    .options(DeviceOptions.DEFAULTS.withPollInterval(Duration.ofMillis(10)))
                    .statusListener(new SyncStatusListener() {
                        @Override
                        public void error(ErrorCode code, String message) {
                            errors.add(code + " " + message);
                        }
                    })
                    .build();
        }

        void offline() {
            network.setOnline(engine.deviceId(), false);
            await().until(() -> !network.isConnected(engine.deviceId()));
        }

        void online() {
            network.setOnline(engine.deviceId(), true);
        }
    }
}
