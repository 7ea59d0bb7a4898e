package io.pocketsync.it.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PluginConfig;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ChangesMode;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.Pull;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.core.discovery.Providers;
import io.pocketsync.device.PocketSyncDevice;
import io.pocketsync.it.support.SqliteFiles;
import io.pocketsync.it.support.SyncNode;
import io.pocketsync.it.support.TestDevice;
import io.pocketsync.it.support.TestEnv;
import io.pocketsync.it.support.Tokens;
import io.pocketsync.testkit.transport.ForwardingClientTransport;
import io.pocketsync.testkit.transport.TestingPluginContext;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A device pulls while LIVE broadcasts move its cursor (the app's {@code syncNow()} during a stream of changes, the
 * periodic pull): the catch-up page arrives after some of the broadcasts, no longer starts at the cursor and is refused.
 * The broadcasts of everything the page covers follow it, so the device must not pull again: over real Mosquitto, a
 * device that did sent a PULL for every such page, and during a burst of pushes each new page was overtaken in turn (the
 * MQTT benchmark's device sent four or five PULLs per 10,000 changes, each costing the server a scan of up to 4,000 rows
 * that it threw away).
 *
 * <p>The reader's incoming messages are held and handed on in the order under test; the server, the broker and both
 * devices are real.
 */
class MqttOvertakenPageIT {
    @TempDir
    Path dir;
    private SyncNode node;
    private TestDevice writer;
    private PocketSyncDevice reader;
    private HeldInbound inbound;
    private Path readerDb;
    private Scope scope;

    @BeforeEach
    void start() {
        String topicRoot = TestEnv.uniqueTopicRoot();
        String scopeName = TestEnv.unique("overtaken");
        scope = Scope.of(scopeName);
        Tokens tokens = new Tokens();
        node = SyncNode.builder().store(SyncNode.sqliteStore(dir, "overtaken")).authenticator(tokens.authenticator())
                .mqtt(topicRoot).start();
        writer = TestDevice.mqtt(dir.resolve("writer.db"), topicRoot, scopeName, tokens.forScope(scopeName)).start();
        readerDb = dir.resolve("reader.db");
        SqliteFiles.createItems(readerDb);
        ClientTransport mqtt = Providers.clientTransports().get("mqtt").create(PluginConfig.of("transport.mqtt",
                Map.of("topic-root", topicRoot, "reconnect-initial-delay", "100ms", "reconnect-max-delay", "1s")),
                new TestingPluginContext("overtaken-reader"));
        inbound = new HeldInbound(mqtt);
        reader = PocketSyncDevice.builder().database(readerDb).tables(SqliteFiles.ITEMS).scope(scopeName)
                .token(tokens.forScope(scopeName)).server(URI.create(TestEnv.mqttUri())).transport(inbound).build();
        reader.start();
        writer.insertItem("first", "seen live", 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> "seen live".equals(SqliteFiles.itemName(readerDb, "first")));
    }

    @AfterEach
    void stop() {
        if (reader != null) {
            reader.close();
        }
        if (writer != null) {
            writer.close();
        }
        if (node != null) {
            node.close();
        }
    }

    @Test
    void aPageThatABroadcastOvertookIsNotPulledAgainWhileTheRestFollow() {
        Held held = holdTwoBroadcastsAndAPage();

        // the first broadcast overtakes the page, the second one was sent right behind it
        inbound.release(List.of(held.first(), held.page(), held.second()));

        assertEverythingAppliedWithOnePull(held);
    }

    @Test
    void aPageThatEveryBroadcastOvertookIsADuplicate() {
        Held held = holdTwoBroadcastsAndAPage();

        inbound.release(List.of(held.first(), held.second(), held.page()));

        assertEverythingAppliedWithOnePull(held);
    }

    /** Two changes of the writer reach the reader as two LIVEs, and its PULL's page covers both; all three are held. */
    private Held holdTwoBroadcastsAndAPage() {
        long start = node.store().info(scope).head();
        await().atMost(Duration.ofSeconds(30)).until(() -> reader.cursor() == start);
        inbound.hold();
        writer.insertItem("a", "row a", 1);
        Changes first = inbound.awaitHeld(m -> m instanceof Changes c && c.mode() == ChangesMode.LIVE && c.fromCursor() == start);
        writer.insertItem("b", "row b", 2);
        Changes second = inbound.awaitHeld(m -> m instanceof Changes c && c.mode() == ChangesMode.LIVE
                && c.fromCursor() == first.cursor());
        int pullsBefore = inbound.pulls();
        reader.syncNow();
        Changes page = inbound.awaitHeld(m -> m instanceof Changes c && c.mode() == ChangesMode.CATCH_UP);
        assertThat(page.fromCursor()).as("the page starts at the reader's cursor when it pulled").isEqualTo(start);
        assertThat(page.cursor()).as("and covers both changes").isEqualTo(second.cursor());
        assertThat(page.changes()).hasSize(2);
        return new Held(first, second, page, pullsBefore);
    }

    private void assertEverythingAppliedWithOnePull(Held held) {
        await().atMost(Duration.ofSeconds(30)).until(() -> reader.cursor() == held.second().cursor());
        assertThat(SqliteFiles.itemName(readerDb, "a")).isEqualTo("row a");
        assertThat(SqliteFiles.itemName(readerDb, "b")).isEqualTo("row b");
        // one more change through the reader's engine: a PULL for the refused page would have gone out before it
        writer.insertItem("c", "row c", 3);
        await().atMost(Duration.ofSeconds(30)).until(() -> "row c".equals(SqliteFiles.itemName(readerDb, "c")));
        assertThat(inbound.pulls() - held.pullsBefore()).as("PULLs sent from syncNow() on: its own only").isEqualTo(1);
    }

    private record Held(Changes first, Changes second, Changes page, int pullsBefore) {}

    /** Counts the PULLs the device sends; while held, keeps what the broker delivers until the test hands it on. */
    private static final class HeldInbound extends ForwardingClientTransport {
        private final AtomicInteger pulls = new AtomicInteger();
        private final List<Message> held = new ArrayList<>();
        private boolean holding;
        private Listener device;

        HeldInbound(ClientTransport delegate) {
            super(delegate);
        }

        int pulls() {
            return pulls.get();
        }

        synchronized void hold() {
            holding = true;
        }

        /** The first held message that matches, once it has arrived. */
        Changes awaitHeld(Predicate<Message> wanted) {
            List<Message> found = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                synchronized (this) {
                    held.stream().filter(wanted).findFirst().ifPresent(found::add);
                }
                return !found.isEmpty();
            });
            return (Changes) found.get(0);
        }

        /** Hands on {@code first} in this order, then whatever else was held, and stops holding. */
        synchronized void release(List<Message> first) {
            holding = false;
            first.forEach(device::onMessage);
            held.stream().filter(m -> !first.contains(m)).forEach(device::onMessage);
            held.clear();
        }

        @Override
        public boolean send(Message message) {
            if (message instanceof Pull) {
                pulls.incrementAndGet();
            }
            return super.send(message);
        }

        @Override
        protected Listener listening(Listener listener) {
            device = listener;
            return new Listener() {
                @Override
                public void onConnected() {
                    listener.onConnected();
                }

                @Override
                public void onMessage(Message message) {
                    synchronized (HeldInbound.this) {
                        if (holding) {
                            held.add(message);
                            return;
                        }
                        listener.onMessage(message);
                    }
                }

                @Override
                public void onDisconnected(ErrorCode code, String reason) {
                    listener.onDisconnected(code, reason);
                }
            };
        }
    }
}
