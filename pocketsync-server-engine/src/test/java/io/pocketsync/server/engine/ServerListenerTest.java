package io.pocketsync.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.protocol.Ack;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ChangesMode;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Pull;
import io.pocketsync.api.protocol.Push;
import io.pocketsync.api.protocol.Welcome;
import io.pocketsync.server.engine.auth.StaticTokenAuthenticator;
import io.pocketsync.testkit.store.InMemoryServerStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

class ServerListenerTest {
    @Test
    void eventsAreReportedForSessionsIngestBroadcastCatchUpAndStoreCalls() {
        Queue<String> events = new ConcurrentLinkedQueue<>();
        ServerListener recording = new ServerListener() {
            @Override
            public void connected(String transport) {
                events.add("connected:" + transport);
            }

            @Override
            public void sessionOpened(Scope scope, String transport) {
                events.add("opened:" + scope);
            }

            @Override
            public void sessionRefused(String transport, ErrorCode code) {
                events.add("refused:" + code);
            }

            @Override
            public void changesApplied(Scope scope, int count) {
                events.add("applied:" + count);
            }

            @Override
            public void changesDuplicate(Scope scope, int count) {
                events.add("duplicate:" + count);
            }

            @Override
            public void broadcast(Scope scope, int recipients, int dropped) {
                events.add("broadcast:" + recipients + "/" + dropped);
            }

            @Override
            public void catchUpPage(Scope scope, ChangesMode mode, int rows, long bytes) {
                events.add("page:" + mode + ":" + rows);
            }

            @Override
            public void storeLatency(String operation, Duration duration) {
                events.add("store:" + operation);
            }

            @Override
            public void disconnected(String transport) {
                events.add("disconnected:" + transport);
            }
        };
        InMemoryServerStore store = new InMemoryServerStore();
        try (SyncServer server = SyncServer.builder().store(store).authenticator(StaticTokenAuthenticator.parse("s:t"))
                .listener(recording).build()) {
            server.start();
            TestingConnection connection = new TestingConnection("ws");
            connection.attach(server.accept(connection));
            connection.receive(new Hello(ProtocolVersion.CURRENT, "d", "s", "t", 0, Hlc.ZERO));
            await().until(() -> !connection.sent(Welcome.class).isEmpty());
            io.pocketsync.api.model.Change change = new io.pocketsync.api.model.Change("c1", "items", "g1",
                    io.pocketsync.api.model.Op.INSERT, Map.of("n", 1L), List.of(), Hlc.of(System.currentTimeMillis(), 0), "d");
            connection.receive(new Push(ProtocolVersion.CURRENT, "b1", List.of(change)));
            connection.receive(new Push(ProtocolVersion.CURRENT, "b2", List.of(change)));
            connection.receive(new Pull(ProtocolVersion.CURRENT, 0, 10));
            await().until(() -> connection.sent(Ack.class).size() == 2 && !connection.sent(Changes.class).isEmpty()
                    && events.contains("page:CATCH_UP:0"));
            connection.close(null, "bye");
            assertThat(server.sessionCount()).isZero();
        }
        assertThat(events).contains("connected:ws", "opened:s", "applied:1", "duplicate:1", "broadcast:1/0",
                "page:CATCH_UP:0", "store:apply", "store:info", "store:page", "disconnected:ws");
    }
}
