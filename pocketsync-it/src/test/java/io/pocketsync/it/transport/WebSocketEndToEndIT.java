package io.pocketsync.it.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.it.support.SqliteFiles;
import io.pocketsync.it.support.StoreRows;
import io.pocketsync.it.support.SyncNode;
import io.pocketsync.it.support.TestDevice;
import io.pocketsync.it.support.TestEnv;
import io.pocketsync.it.support.Tokens;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A SyncServer with the SQLite store and the WebSocket transport (token auth), and devices on real SQLite files. */
class WebSocketEndToEndIT {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    @TempDir
    Path dir;
    private final Tokens tokens = new Tokens();
    private final String scope = TestEnv.unique("scope");
    private SyncNode node;
    private TestDevice alice;
    private TestDevice bob;

    @AfterEach
    void closeAll() {
        for (AutoCloseable closeable : new AutoCloseable[] {alice, bob, node}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            }
            catch (Exception e) {
                // keep closing the rest
            }
        }
    }

    private void startPlain() {
        node = SyncNode.builder().store(SyncNode.sqliteStore(dir, "n1")).authenticator(tokens.authenticator())
                .websocket().start();
        alice = TestDevice.websocket(dir.resolve("alice.db"), node.websocketUri(), scope, tokens.forScope(scope)).start();
        bob = TestDevice.websocket(dir.resolve("bob.db"), node.websocketUri(), scope, tokens.forScope(scope)).start();
    }

    @Test
    void liveChangesFlowBothWays() {
        startPlain();
        alice.insertItem("a1", "from alice", 1);
        await().atMost(PATIENCE).until(() -> "from alice".equals(bob.itemName("a1")));

        bob.insertItem("b1", "from bob", 2);
        bob.execute("UPDATE items SET name = ?, qty = qty + 10 WHERE id = ?", "edited by bob", "a1");
        await().atMost(PATIENCE).until(() -> "from bob".equals(alice.itemName("b1"))
                && "edited by bob".equals(alice.itemName("a1")));

        alice.execute("DELETE FROM items WHERE id = ?", "b1");
        await().atMost(PATIENCE).until(() -> bob.itemName("b1") == null);

        assertConverged();
        assertThat(alice.items()).hasSize(1).first().satisfies(row -> assertThat(row.get("qty")).isEqualTo(11L));
    }

    @Test
    void aStoppedDeviceCatchesUpAfterBothEdited() {
        startPlain();
        for (int i = 0; i < 5; i++) {
            alice.insertItem("shared-" + i, "v0", i);
        }
        await().atMost(PATIENCE).until(() -> bob.items().size() == 5);
        bob.close();

        alice.execute("UPDATE items SET name = 'alice-offline-edit' WHERE id IN ('shared-0', 'shared-1')");
        alice.execute("DELETE FROM items WHERE id = 'shared-2'");
        alice.insertItem("alice-new", "made while bob was away", 100);
        // bob's app keeps writing while bob does not sync: the triggers still capture it
        bob.execute("UPDATE items SET name = 'bob-offline-edit' WHERE id IN ('shared-3', 'shared-4')");
        bob.insertItem("bob-new", "made offline", 200);
        bob.execute("DELETE FROM items WHERE id = 'shared-0'");

        bob.start();
        await().atMost(PATIENCE).until(() -> alice.items().equals(bob.items()) && alice.items().size() == 5);
        assertConverged();
        assertThat(alice.itemName("shared-1")).isEqualTo("alice-offline-edit");
        assertThat(alice.itemName("shared-3")).isEqualTo("bob-offline-edit");
        assertThat(alice.itemName("shared-0")).isNull();
        assertThat(alice.itemName("shared-2")).isNull();
        assertThat(alice.itemName("bob-new")).isEqualTo("made offline");
        assertThat(bob.itemName("alice-new")).isEqualTo("made while bob was away");
        await().atMost(PATIENCE).until(() -> alice.engine().pendingCount() == 0 && bob.engine().pendingCount() == 0);
    }

    @Test
    void wssWithASelfSignedCertificate() throws Exception {
        SelfSignedCertificate certificate = SelfSignedCertificate.create(dir);
        node = SyncNode.builder().store(SyncNode.sqliteStore(dir, "tls")).authenticator(tokens.authenticator())
                .websocket(certificate.serverConfig()).start();
        assertThat(node.websocketUri().getScheme()).isEqualTo("wss");
        Map<String, String> trust = certificate.clientConfig();
        alice = TestDevice.websocket(dir.resolve("alice.db"), node.websocketUri(), scope, tokens.forScope(scope), trust).start();
        bob = TestDevice.websocket(dir.resolve("bob.db"), node.websocketUri(), scope, tokens.forScope(scope), trust).start();

        alice.insertItem("tls-a", "over tls", 1);
        await().atMost(PATIENCE).until(() -> "over tls".equals(bob.itemName("tls-a")));
        bob.execute("UPDATE items SET qty = 42 WHERE id = 'tls-a'");
        await().atMost(PATIENCE).until(() -> Long.valueOf(42).equals(alice.items().get(0).get("qty")));
        assertConverged();
    }

    private void assertConverged() {
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(bob.items()).isEqualTo(alice.items());
            assertThat(StoreRows.liveRows(node.store(), scope, SqliteFiles.ITEMS)).isEqualTo(alice.items());
        });
    }
}
