package io.pocketsync.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Scoped;
import io.pocketsync.api.transport.ClientTransport;
import io.pocketsync.api.transport.Endpoint;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How one connection's events and messages reach the scopes it carries. */
class ScopeChannelsTest {
    private final RecordingTransport transport = new RecordingTransport();
    private final ScopeChannels channels = new ScopeChannels(transport,
            new Endpoint(URI.create("ws://127.0.0.1:1/sync"), "alice", "phone", List.of("alice", "team")));
    private final Map<String, List<String>> heard = Map.of("alice", new CopyOnWriteArrayList<>(), "team",
            new CopyOnWriteArrayList<>());

    @BeforeEach
    void startBothScopes() {
        for (String scope : List.of("alice", "team")) {
            channels.channel(scope).start(null, new ClientTransport.Listener() {
                @Override
                public void onMessage(Message message) {
                    heard.get(scope).add(message.type().toString());
                }

                @Override
                public void onDisconnected(ErrorCode code, String reason) {
                    heard.get(scope).add("closed " + code);
                }
            });
        }
        assertThat(transport.listener).as("the connection starts once every scope started").isSameAs(channels);
    }

    @Test
    void aRefusingCloseIsTheFirstHellosScopeOnlyTheOthersSeeAPlainClose() {
        channels.onConnected();
        channels.channel("alice").send(hello("alice"));
        channels.channel("team").send(hello("team"));

        channels.onDisconnected(ErrorCode.AUTH_FAILED, "authentication failed");

        assertThat(heard.get("alice")).containsExactly("closed AUTH_FAILED");
        assertThat(heard.get("team")).containsExactly("closed TRANSPORT_CLOSED");
    }

    @Test
    void theFirstHelloOfEachConnectionDecidesWhoseRefusalAnUntaggedCloseIs() {
        channels.onConnected();
        channels.channel("alice").send(hello("alice"));
        channels.onDisconnected(ErrorCode.TRANSPORT_CLOSED, "gone");
        channels.onConnected();
        channels.channel("team").send(hello("team")); // alice's HELLO is held back by its refusal backoff
        channels.channel("alice").send(hello("alice"));

        channels.onMessage(new ErrorMessage(ProtocolVersion.CURRENT, ErrorCode.AUTH_FAILED, "no", null));
        channels.onDisconnected(ErrorCode.SCOPE_FORBIDDEN, "forbidden");

        assertThat(heard.get("team")).containsExactly("closed TRANSPORT_CLOSED", "ERROR", "closed SCOPE_FORBIDDEN");
        assertThat(heard.get("alice")).containsExactly("closed TRANSPORT_CLOSED", "closed TRANSPORT_CLOSED");
    }

    @Test
    void aRetryableCloseReachesEveryScopeAsItIs() {
        channels.onConnected();
        channels.channel("alice").send(hello("alice"));

        channels.onDisconnected(ErrorCode.SHUTTING_DOWN, "bye");

        assertThat(heard.get("alice")).containsExactly("closed SHUTTING_DOWN");
        assertThat(heard.get("team")).containsExactly("closed SHUTTING_DOWN");
    }

    @Test
    void taggedMessagesReachTheirScopeAndCatchUpRequiredReachesEvery() {
        channels.onConnected();
        channels.channel("alice").send(hello("alice"));

        channels.onMessage(new Scoped("team", new ErrorMessage(ProtocolVersion.CURRENT, ErrorCode.INVALID_FIELD, "x", null)));
        channels.onMessage(new ErrorMessage(ProtocolVersion.CURRENT, ErrorCode.CATCH_UP_REQUIRED, "behind", null));

        assertThat(heard.get("alice")).containsExactly("ERROR");
        assertThat(heard.get("team")).containsExactly("ERROR", "ERROR");
        assertThat(transport.sent).hasSize(1).first().isInstanceOf(Hello.class);
    }

    @Test
    void theConnectionPausesOnlyWhileEveryScopeHoldsItsHello() {
        channels.onConnected();
        channels.channel("alice").pause(Duration.ofSeconds(30));
        assertThat(transport.pauses).as("team may say HELLO: the connection serves it").isEmpty();

        channels.channel("team").pause(Duration.ofSeconds(5));

        assertThat(transport.pauses).singleElement().satisfies(pause ->
                assertThat(pause).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(5)));
    }

    private static Hello hello(String scope) {
        return new Hello(ProtocolVersion.CURRENT, "phone", scope, "token", 0, Hlc.ZERO, 1 << 20, null);
    }

    /** The one connection: records what is sent and who listens. */
    private static final class RecordingTransport implements ClientTransport {
        private final List<Message> sent = new ArrayList<>();
        private final List<Duration> pauses = new ArrayList<>();
        private Listener listener;

        @Override
        public void start(Endpoint endpoint, Listener startedListener) {
            this.listener = startedListener;
        }

        @Override
        public boolean send(Message message) {
            return sent.add(message);
        }

        @Override
        public boolean isConnected() {
            return true;
        }

        @Override
        public void reconnect() {}

        @Override
        public void pause(Duration delay) {
            pauses.add(delay);
        }

        @Override
        public void close() {}
    }
}
