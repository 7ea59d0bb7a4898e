package io.pocketsync.transport.websocket;

import io.pocketsync.api.ErrorCode;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * Says in words why a connection attempt never opened, for the first WARN a new user meets: "connection refused at
 * 127.0.0.1:9", "no PocketSync endpoint at /; the server answered 404 (it serves /sync)". Stateless.
 */
final class ConnectFailures {
    /** Java-WebSocket's message for a handshake answered with another status than 101. */
    private static final Pattern STATUS = Pattern.compile("Invalid status code received: (\\d{3}) Status line: (.*)");
    /** What {@link WebSocketServerTransport} puts in its 404 status line. */
    private static final Pattern SERVES = Pattern.compile("serves (/\\S*)");

    private ConnectFailures() {}

    /** One failed attempt: its code (for listeners) and what to tell a person. */
    record Failure(ErrorCode code, String reason) {}

    /**
     * @param uri the URI the attempt went to
     * @param reason the close reason Java-WebSocket reported
     * @param error the exception it reported before the close, if any
     */
    static Failure describe(URI uri, @Nullable String reason, @Nullable Exception error) {
        String hostPort = uri.getHost() + ":" + port(uri);
        Matcher status = STATUS.matcher(reason == null ? "" : reason);
        if (status.find()) {
            return answered(uri, status.group(1), status.group(2));
        }
        if (error instanceof ConnectException && String.valueOf(error.getMessage()).toLowerCase(java.util.Locale.ROOT)
                .contains("refused")) {
            return new Failure(ErrorCode.TRANSPORT_CLOSED, "connection refused at " + hostPort
                    + " (is the server running, and listening on that port?)");
        }
        if (error instanceof UnknownHostException) {
            return new Failure(ErrorCode.TRANSPORT_CLOSED, "unknown host " + uri.getHost() + " (no address for it)");
        }
        if (error instanceof NoRouteToHostException) {
            return new Failure(ErrorCode.TRANSPORT_CLOSED, "no route to " + hostPort);
        }
        if (error instanceof SocketTimeoutException) {
            return new Failure(ErrorCode.TIMEOUT, "no answer from " + hostPort + " in time");
        }
        if (error instanceof SSLException) {
            return new Failure(ErrorCode.TRANSPORT_CLOSED, "TLS handshake with " + hostPort + " failed: " + error.getMessage());
        }
        String detail = reason == null || reason.isBlank() ? (error == null ? "connection closed" : error.toString()) : reason;
        return new Failure(ErrorCode.TRANSPORT_CLOSED, "cannot connect to " + hostPort + ": " + detail);
    }

    private static Failure answered(URI uri, String code, String statusLine) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        Matcher serves = SERVES.matcher(statusLine);
        if (code.equals("404")) {
            return new Failure(ErrorCode.CONFIG_INVALID, "no PocketSync endpoint at " + path + "; the server answered 404"
                    + (serves.find() ? " (it serves " + serves.group(1) + ")" : " (" + statusLine.trim() + ")"));
        }
        return new Failure(ErrorCode.CONFIG_INVALID, "no WebSocket endpoint at " + uri.getHost() + ":" + port(uri) + path
                + "; the server answered " + statusLine.trim() + " instead of 101 Switching Protocols");
    }

    private static int port(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return "wss".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }
}
