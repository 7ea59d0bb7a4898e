package io.pocketsync.core.codec;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.PocketSyncException;
import io.pocketsync.api.codec.Codec;
import io.pocketsync.api.protocol.Message;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;

/**
 * A {@link Codec} over a Jackson streaming factory: the message mapping is shared
 * ({@link MessageEncoder}, {@link WireTreeReader}, {@link MessageDecoder}); subclasses pick the factory.
 *
 * <p>Thread-safe: Jackson factories are, and the mapping classes are stateless.
 */
abstract class JacksonCodec implements Codec {
    private final String name;
    private final JsonFactory factory;
    private final CodecLimits limits;
    private final MessageEncoder encoder;
    private final WireTreeReader treeReader;
    private final MessageDecoder decoder = new MessageDecoder();

    JacksonCodec(String name, JsonFactory factory, CodecLimits limits, boolean blobsAsObjects) {
        this.name = requireNonNull(name, "name is null");
        this.factory = requireNonNull(factory, "factory is null");
        this.limits = requireNonNull(limits, "limits is null");
        this.encoder = new MessageEncoder(blobsAsObjects);
        this.treeReader = new WireTreeReader(limits.maxDepth());
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * The limits enforced by {@link #decode}.
     *
     * @return the limits
     */
    public CodecLimits limits() {
        return limits;
    }

    @Override
    public byte[] encode(Message message) {
        requireNonNull(message, "message is null");
        // segments, copied once at the end: a growing array would hold up to three copies of a 10 MiB row's message
        ByteArrayBuilder bytes = new ByteArrayBuilder(256);
        try (JsonGenerator out = factory.createGenerator(bytes)) {
            encoder.write(out, message);
        }
        catch (IOException e) {
            throw new PocketSyncException(ErrorCode.INTERNAL, "could not encode " + message.type() + ": " + e.getMessage(), e);
        }
        byte[] encoded = bytes.toByteArray();
        bytes.release();
        return encoded;
    }

    @Override
    public Message decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new PocketSyncException(ErrorCode.MALFORMED_MESSAGE, "empty message");
        }
        if (bytes.length > limits.maxMessageBytes()) {
            throw new PocketSyncException(ErrorCode.MESSAGE_TOO_LARGE,
                    "message of " + bytes.length + " bytes exceeds the maximum of " + limits.maxMessageBytes());
        }
        Object root;
        try (JsonParser parser = factory.createParser(bytes)) {
            root = treeReader.readRoot(parser);
        }
        catch (PocketSyncException e) {
            throw e;
        }
        catch (StreamConstraintsException e) {
            throw new PocketSyncException(ErrorCode.INVALID_FIELD, "value out of bounds: " + e.getOriginalMessage(), e);
        }
        catch (IOException | RuntimeException e) {
            // Jackson reports bad bytes with IOExceptions and, for some corrupt binary input, runtime exceptions.
            throw new PocketSyncException(ErrorCode.MALFORMED_MESSAGE, "not a valid " + name + " message: " + firstLine(e), e);
        }
        try {
            return decoder.decode(root);
        }
        catch (PocketSyncException e) {
            throw e;
        }
        catch (RuntimeException e) {
            // A record constructor refused a value the wire format allowed (e.g. a REJECTED result without a code).
            throw new PocketSyncException(ErrorCode.INVALID_FIELD, "invalid " + name + " message: " + e.getMessage(), e);
        }
    }

    private static String firstLine(Exception e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
