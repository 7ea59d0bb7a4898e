package io.pocketsync.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketsync.api.ErrorCode;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class ConnectFailuresTest {
    @Test
    void aPocketSync404NamesThePathItServes() {
        ConnectFailures.Failure failure = ConnectFailures.describe(URI.create("ws://127.0.0.1:8787/"),
                "Invalid status code received: 404 Status line: HTTP/1.1 404 No PocketSync endpoint here; it serves /sync", null);

        assertThat(failure.code()).isEqualTo(ErrorCode.CONFIG_INVALID);
        assertThat(failure.reason()).isEqualTo("no PocketSync endpoint at /; the server answered 404 (it serves /sync)");
    }

    @Test
    void anotherServersAnswerIsQuoted() {
        assertThat(ConnectFailures.describe(URI.create("ws://example.test/sync"),
                "Invalid status code received: 404 Status line: HTTP/1.1 404 Not Found", null).reason())
                .isEqualTo("no PocketSync endpoint at /sync; the server answered 404 (HTTP/1.1 404 Not Found)");
        assertThat(ConnectFailures.describe(URI.create("ws://example.test/sync"),
                "Invalid status code received: 200 Status line: HTTP/1.1 200 OK", null).reason())
                .isEqualTo("no WebSocket endpoint at example.test:80/sync; the server answered HTTP/1.1 200 OK instead of 101"
                        + " Switching Protocols");
    }

    @Test
    void unreachableHostsAndPortsAreNamed() {
        assertThat(ConnectFailures.describe(URI.create("ws://127.0.0.1:9/sync"), "Connection refused",
                new ConnectException("Connection refused")))
                .isEqualTo(new ConnectFailures.Failure(ErrorCode.TRANSPORT_CLOSED,
                        "connection refused at 127.0.0.1:9 (is the server running, and listening on that port?)"));
        assertThat(ConnectFailures.describe(URI.create("wss://nosuch.invalid/sync"), "nosuch.invalid",
                new UnknownHostException("nosuch.invalid")).reason())
                .isEqualTo("unknown host nosuch.invalid (no address for it)");
    }
}
