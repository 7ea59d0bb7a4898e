package io.pocketsync.api.protocol;

import static java.util.Objects.requireNonNull;

/**
 * A message of one scope's session on a connection that carries several (protocol 3, docs/protocol.md 3.9): on the wire
 * the wrapped message with one more field, {@code scope}. A device that syncs several scopes over one connection says a
 * {@link Hello} per scope and tags every later message with the scope it belongs to; the server tags every message of
 * such a session. A {@code HELLO} names its scope already and is never wrapped.
 *
 * @param scope the scope whose session the message belongs to
 * @param message the message itself; never a {@code Scoped} or a {@link Hello}
 */
public record Scoped(String scope, Message message) implements Message {
    /**
     * Validates the record.
     *
     * @param scope the scope whose session the message belongs to; not null
     * @param message the message itself; not null, not a {@code Scoped}, not a {@link Hello}
     */
    public Scoped {
        requireNonNull(scope, "scope is null");
        requireNonNull(message, "message is null");
        if (message instanceof Scoped || message instanceof Hello) {
            throw new IllegalArgumentException("a " + message.type() + " is not wrapped in a scope tag");
        }
    }

    /**
     * Tags {@code message} with {@code scope}, unless it is a HELLO (which names its scope) or already tagged.
     *
     * @param scope the scope; not null
     * @param message the message; not null
     * @return the tagged message, or {@code message} itself
     */
    public static Message tag(String scope, Message message) {
        return message instanceof Hello || message instanceof Scoped ? message : new Scoped(scope, message);
    }

    /**
     * The message without its scope tag.
     *
     * @param message any message
     * @return the wrapped message of a {@code Scoped}, else {@code message}
     */
    public static Message untagged(Message message) {
        return message instanceof Scoped scoped ? scoped.message() : message;
    }

    @Override
    public int protocolVersion() {
        return message.protocolVersion();
    }

    @Override
    public MessageType type() {
        return message.type();
    }
}
