package io.pocketsync.it.proof;

import io.pocketsync.api.codec.Codec;
import io.pocketsync.api.model.Hlc;
import io.pocketsync.api.protocol.Changes;
import io.pocketsync.api.protocol.ErrorMessage;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.ProtocolVersion;
import io.pocketsync.api.protocol.Welcome;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.handshake.ServerHandshake;

/**
 * A lightweight device for load tests: one raw WebSocket speaking the protocol in JSON, no engine and
 * no database. Records the change ids it receives live and any error. Thread-safe.
 */
final class RawSyncClient extends WebSocketClient {
    private final Codec codec;
    private final String deviceId;
    private final String scope;
    final Set<String> received = ConcurrentHashMap.newKeySet();
    final AtomicInteger errors = new AtomicInteger();
    volatile boolean welcomed;
    volatile String lastError;

    RawSyncClient(URI uri, Codec codec, String deviceId, String scope) {
        super(uri);
        this.codec = codec;
        this.deviceId = deviceId;
        this.scope = scope;
    }

    void send(Message message) {
        send(new String(codec.encode(message), StandardCharsets.UTF_8));
    }

    @Override
    public void onOpen(ServerHandshake handshake) {
        send(new Hello(ProtocolVersion.CURRENT, deviceId, scope, "", 0, Hlc.ZERO));
    }

    @Override
    public void onMessage(String text) {
        Message message = codec.decode(text.getBytes(StandardCharsets.UTF_8));
        if (message instanceof Welcome) {
            welcomed = true;
        }
        else if (message instanceof Changes changes) {
            changes.changes().forEach(change -> received.add(change.changeId()));
        }
        else if (message instanceof ErrorMessage error) {
            errors.incrementAndGet();
            lastError = error.code() + ": " + error.message();
        }
    }

    @Override
    public void onClose(int code, String reason, boolean remote) {
        if (remote && code != 1000) {
            errors.incrementAndGet();
            lastError = "closed " + code + " " + reason;
        }
    }

    @Override
    public void onError(Exception e) {
        errors.incrementAndGet();
        lastError = e.toString();
    }
}
