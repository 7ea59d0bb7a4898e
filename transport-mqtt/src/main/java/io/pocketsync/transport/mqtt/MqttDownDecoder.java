package io.pocketsync.transport.mqtt;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.PluginContext;
import io.pocketsync.api.codec.Codec;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.Scoped;
import io.pocketsync.api.protocol.Welcome;
import io.pocketsync.core.transport.FragmentAssembler;
import io.pocketsync.core.transport.MessageFraming;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what the broker delivers on a device's down topics into messages: the scope from the topic, the size limit,
 * fragments rebuilt per scope, JSON or CBOR by the payload (a server may answer in either), the scope tag, and the
 * limits a WELCOME announces for later frames of its scope. Called on Paho's callback thread only.
 */
final class MqttDownDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(MqttDownDecoder.class);

    private final MqttScopeTopics scopes;
    private final int maxMessageBytes;
    private final PluginContext context;
    private @Nullable Codec json;
    private @Nullable Codec cbor;

    /**
     * @param scopes the device's scopes and their topics and framing
     * @param maxMessageBytes the largest payload taken; larger ones are ignored with a WARN
     * @param context where the codecs come from (asked once each, when first needed)
     */
    MqttDownDecoder(MqttScopeTopics scopes, int maxMessageBytes, PluginContext context) {
        this.scopes = requireNonNull(scopes, "scopes is null");
        this.maxMessageBytes = maxMessageBytes;
        this.context = requireNonNull(context, "context is null");
    }

    /**
     * @param topic the topic the message came on
     * @param payload its bytes
     * @return the message, tagged with its scope unless it is the first scope's; {@code null} when there is none yet
     *         (a fragment) or none at all (another topic, an empty, oversized or undecodable payload, each logged)
     */
    @Nullable Message decode(String topic, byte[] payload) {
        String scope = scopes.scopeOfDownTopic(topic);
        if (scope == null || payload.length == 0) {
            return null;
        }
        if (payload.length > maxMessageBytes) {
            LOG.warn("ignoring a {} byte message from the server (maximum {})", payload.length, maxMessageBytes);
            return null;
        }
        MessageFraming framing = scopes.framing(scope);
        try {
            FragmentAssembler.Whole whole = framing.receive(payload, false);
            if (whole == null) {
                return null;
            }
            boolean textual = whole.bytes() == payload ? payload[0] == '{' : whole.textual();
            Message decoded = scopes.tagged(scope, codec(textual).decode(whole.bytes()));
            if (Scoped.untagged(decoded) instanceof Welcome welcome) {
                framing.peer(welcome.maxMessageBytes(), welcome.maxAssembledBytes());
            }
            return decoded;
        }
        catch (RuntimeException e) {
            LOG.warn("ignoring an undecodable message from the server: {}", e.getMessage());
            return null;
        }
    }

    private Codec codec(boolean textual) {
        if (textual) {
            if (json == null) {
                json = context.codec("json");
            }
            return json;
        }
        if (cbor == null) {
            cbor = context.codec("cbor");
        }
        return cbor;
    }
}
