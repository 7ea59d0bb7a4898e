package io.pocketsync.transport.mqtt;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.codec.Codec;
import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.core.transport.Fragment;
import io.pocketsync.core.transport.FragmentAssembler;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the publishes on the devices' up topics into messages of their virtual connections: a topic whose segments
 * are not valid ids is ignored; a zero-length payload (the device's goodbye and its last will) closes the device's
 * connection; a payload over {@code max-message-bytes}, one that does not decode, or a whole message between the
 * fragments of another is answered with ERROR and closes it; fragments are rebuilt on the connection; a HELLO always
 * opens a fresh connection. A payload starting with <code>'&#123;'</code> is JSON, anything else CBOR; the
 * connection answers in the device's encoding.
 *
 * <p>Called on Paho's callback thread, in arrival order.
 */
final class MqttUpReceiver {
    private static final Logger log = LoggerFactory.getLogger(MqttUpReceiver.class);

    private final MqttTopics topics;
    private final int maxMessageBytes;
    private final Codec jsonCodec;
    private final Codec cborCodec;
    private final MqttVirtualConnections connections;
    private final BooleanSupplier closed;

    /**
     * @param closed whether the bridge is closed (publishes are ignored then)
     */
    MqttUpReceiver(MqttTopics topics, int maxMessageBytes, Codec jsonCodec, Codec cborCodec,
            MqttVirtualConnections connections, BooleanSupplier closed) {
        this.topics = requireNonNull(topics, "topics is null");
        this.maxMessageBytes = maxMessageBytes;
        this.jsonCodec = requireNonNull(jsonCodec, "jsonCodec is null");
        this.cborCodec = requireNonNull(cborCodec, "cborCodec is null");
        this.connections = requireNonNull(connections, "connections is null");
        this.closed = requireNonNull(closed, "closed is null");
    }

    void receive(String topic, byte[] payload) {
        MqttTopics.Address address = topics.parseUp(topic).orElse(null);
        if (address == null || closed.getAsBoolean()) {
            log.debug("ignoring a publish on topic {}", topic);
            return;
        }
        if (payload.length == 0) {
            MqttConnection gone = connections.get(address);
            if (gone != null) {
                gone.close(null, "device said goodbye");
            }
            return;
        }
        Codec codec = payload[0] == '{' ? jsonCodec : cborCodec;
        if (payload.length > maxMessageBytes) {
            connections.connectionFor(address, codec, false).close(ErrorCode.MESSAGE_TOO_LARGE,
                    "message of " + payload.length + " bytes exceeds the maximum of " + maxMessageBytes);
            return;
        }
        byte[] whole = payload;
        MqttConnection existing = connections.get(address);
        if (Fragment.isFragment(payload)) {
            if (existing == null) {
                log.debug("ignoring a fragment from {} before its HELLO", address);
                return;
            }
            FragmentAssembler.Whole rebuilt;
            try {
                rebuilt = existing.framing().receive(payload, false);
            }
            catch (PocketSyncException e) {
                existing.close(e.code(), e.getMessage());
                return;
            }
            if (rebuilt == null) {
                return;
            }
            whole = rebuilt.bytes();
            codec = rebuilt.textual() ? jsonCodec : cborCodec;
        }
        Message message;
        try {
            message = codec.decode(whole);
        }
        catch (PocketSyncException e) {
            connections.connectionFor(address, codec, false).close(e.code(), e.getMessage());
            return;
        }
        catch (RuntimeException e) {
            log.warn("codec {} failed with a raw exception", codec.name(), e);
            connections.connectionFor(address, codec, false).close(ErrorCode.MALFORMED_MESSAGE, "malformed message");
            return;
        }
        if (message instanceof Hello hello) {
            MqttConnection fresh = connections.connectionFor(address, codec, true);
            fresh.framing().peer(0, hello.maxAssembledBytes());
            fresh.deliver(message);
            return;
        }
        MqttConnection connection = connections.connectionFor(address, codec, false);
        if (whole == payload && connection.framing().assembling()) {
            connection.close(ErrorCode.MALFORMED_MESSAGE, "a whole " + message.type() + " arrived between the fragments of a message");
            return;
        }
        connection.deliver(message);
    }
}
