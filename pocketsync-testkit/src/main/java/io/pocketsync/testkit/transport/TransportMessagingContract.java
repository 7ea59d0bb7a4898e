package io.pocketsync.testkit.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.model.Change;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.model.Op;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Ping;
import io.pocketsync.api.protocol.Pong;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Push;
import io.pocketsync.api.protocol.Welcome;
import io.pocketsync.api.transport.ClientTransport;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Part of the {@link AbstractTransportContractTest transport contract}: messages both ways, in order,
 * fragmented when large, and bounded by the maximum size.
 */
abstract class TransportMessagingContract extends TransportContractFixture {
    // ---- the contract ---------------------------------------------------------------------------

    @Test
    void helloReachesServerAndAnswersReachClient() {
        startServer(new RecordingAcceptor());
        RecordingClientListener listener = new RecordingClientListener();
        RecordingAcceptor.Recorded connection = connect("device-a", listener, null);

        assertThat(connection.messages()).containsExactly(hello("device-a"));
        assertThat(connection.connection().isOpen()).isTrue();
        assertThat(connection.connection().id()).isNotBlank();
        assertThat(connection.connection().transport()).isNotBlank();
        connection.connection().addressedScope().ifPresent(s -> assertThat(s).isEqualTo(scope));
        connection.connection().addressedDevice().ifPresent(d -> assertThat(d).isEqualTo("device-a"));
        assertThat(server().connectionCount()).isEqualTo(1);

        Welcome welcome = new Welcome(ProtocolVersion.CURRENT, "session-1", Hlc.of(2_000, 0), 7, false, 500, maxMessageBytes());
        assertThat(connection.connection().send(welcome)).isTrue();
        eventually().untilAsserted(() -> assertThat(listener.messages()).containsExactly(welcome));
    }

    @Test
    void authFailureSurfacesAtTheClient() {
        startServer(new RecordingAcceptor().onMessage((connection, message) -> {
            if (message instanceof Hello) {
                connection.close(ErrorCode.AUTH_FAILED, "unknown token");
            }
        }));
        RecordingClientListener listener = new RecordingClientListener();
        RecordingAcceptor.Recorded connection = connect("device-a", listener, null);

        eventually().untilAsserted(() -> assertThat(
                listener.messages().stream().anyMatch(m -> m instanceof ErrorMessage e && e.code() == ErrorCode.AUTH_FAILED)
                        || listener.disconnects().stream().anyMatch(d -> d.code() == ErrorCode.AUTH_FAILED))
                .as("AUTH_FAILED seen by the client").isTrue());
        eventually().untilAsserted(() -> assertThat(connection.closes()).isEqualTo(1));
        assertThat(connection.connection().isOpen()).isFalse();
        assertThat(connection.connection().send(new Ping(ProtocolVersion.CURRENT, 1))).isFalse();
    }

    @Test
    void messagesArriveInOrderInBothDirections() {
        int count = 500;
        startServer(new RecordingAcceptor().onMessage((connection, message) -> {
            if (message instanceof Ping ping) {
                connection.send(new Pong(ProtocolVersion.CURRENT, ping.nonce()));
            }
        }));
        RecordingClientListener listener = new RecordingClientListener();
        ClientTransport[] client = new ClientTransport[1];
        RecordingAcceptor.Recorded connection = connect("device-a", listener, client);

        for (long i = 0; i < count; i++) {
            assertThat(client[0].send(new Ping(ProtocolVersion.CURRENT, i))).isTrue();
        }

        List<Long> expected = LongStream.range(0, count).boxed().collect(Collectors.toList());
        eventually().untilAsserted(() -> assertThat(nonces(connection.messages(), Ping.class)).isEqualTo(expected));
        eventually().untilAsserted(() -> assertThat(nonces(listener.messages(), Pong.class)).isEqualTo(expected));
        assertThat(connection.overlapSeen()).isFalse();
        assertThat(listener.overlapSeen()).isFalse();
    }

    @Test
    void messagesLargerThanAFrameTravelInFragmentsBothWaysWhenBothSidesSaySo() {
        startServer(new RecordingAcceptor().onMessage((connection, message) -> {
            if (message instanceof Push push) {
                connection.send(push); // echoed: the server side fragments too
            }
        }));
        RecordingClientListener listener = new RecordingClientListener();
        ClientTransport client = startClient("device-a", listener);
        eventually().until(() -> listener.connects() >= 1 && client.isConnected());
        Hello hello = new Hello(ProtocolVersion.CURRENT, "device-a", scope, "token-device-a", 0, Hlc.of(1_000, 0),
                client.maxAssembledBytes());
        assertThat(client.send(hello)).isTrue();
        eventually().until(() -> acceptor.byDevice("device-a").isPresent());
        RecordingAcceptor.Recorded connection = acceptor.byDevice("device-a").orElseThrow();
        // multi-byte text, three frames and a bit: a fragment boundary falls inside a character
        String text = "ünïcødé ✓ 𝄞 ".repeat(maxMessageBytes() * 3 / 20);
        Change change = new Change("big-c1", "notes", "g-1", Op.INSERT, Map.of("body", text), List.of(), Hlc.of(1_000, 1),
                "device-a");
        Push big = new Push(ProtocolVersion.CURRENT, "batch-big", List.of(change));
        if (client.maxAssembledBytes() == 0 || connection.connection().maxAssembledBytes() == 0) {
            // a transport without fragments refuses it, as any message over its maximum
            assertThat(catchThrowable(() -> client.send(big))).isInstanceOf(PocketSyncException.class);
            return;
        }
        Welcome welcome = new Welcome(ProtocolVersion.CURRENT, "session-1", Hlc.of(2_000, 0), 7, false, 500,
                connection.connection().maxFrameBytes(), 0, 16 << 20, connection.connection().maxAssembledBytes());
        assertThat(connection.connection().send(welcome)).isTrue();
        eventually().untilAsserted(() -> assertThat(listener.messages()).contains(welcome));

        assertThat(client.send(big)).isTrue();
        Ping after = new Ping(ProtocolVersion.CURRENT, 7);
        assertThat(client.send(after)).isTrue();
        eventually().untilAsserted(() -> assertThat(connection.messages()).containsSubsequence(big, after));
        eventually().untilAsserted(() -> assertThat(listener.messages()).contains(big));
        assertThat(connection.closes()).isZero();
    }

    @Test
    void largePushUpToTheMaximumPassesAndALargerOneIsRejected() {
        startServer(new RecordingAcceptor());
        RecordingClientListener listener = new RecordingClientListener();
        ClientTransport[] client = new ClientTransport[1];
        RecordingAcceptor.Recorded connection = connect("device-a", listener, client);
        RecordingClientListener bystanderListener = new RecordingClientListener();
        ClientTransport[] bystander = new ClientTransport[1];
        RecordingAcceptor.Recorded bystanderConnection = connect("device-b", bystanderListener, bystander);

        Push large = pushOfSize("batch-large", maxMessageBytes() * 9 / 10);
        assertThat(client[0].send(large)).isTrue();
        eventually().untilAsserted(() -> assertThat(connection.messages()).contains(large));

        Push tooLarge = pushOfSize("batch-too-large", maxMessageBytes() + 1024);
        Throwable thrown = catchThrowable(() -> client[0].send(tooLarge));
        if (thrown != null) {
            assertThat(thrown).isInstanceOf(PocketSyncException.class);
            assertThat(((PocketSyncException) thrown).code()).isEqualTo(ErrorCode.MESSAGE_TOO_LARGE);
        }
        else {
            eventually().untilAsserted(() -> assertThat(
                    listener.messages().stream().anyMatch(m -> m instanceof ErrorMessage e && e.code() == ErrorCode.MESSAGE_TOO_LARGE)
                            || listener.disconnects().stream().anyMatch(d -> d.code() == ErrorCode.MESSAGE_TOO_LARGE))
                    .isTrue());
        }
        assertThat(connection.messages()).doesNotContain(tooLarge);

        // only the offending connection may suffer; the other device is served as before
        Ping ping = new Ping(ProtocolVersion.CURRENT, 42);
        assertThat(bystander[0].send(ping)).isTrue();
        eventually().untilAsserted(() -> assertThat(bystanderConnection.messages()).contains(ping));
        assertThat(bystanderConnection.closes()).isZero();
    }
}
