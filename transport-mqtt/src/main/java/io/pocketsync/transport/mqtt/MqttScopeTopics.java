package io.pocketsync.transport.mqtt;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.protocol.Hello;
import io.pocketsync.api.protocol.Message;
import io.pocketsync.api.protocol.Scoped;
import io.pocketsync.api.transport.Endpoint;
import io.pocketsync.core.transport.MessageFraming;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A device's topics, one pair per scope of its {@link Endpoint} (protocol 3, docs/protocol.md 3.9), and the framing of
 * each scope's session: which up topic a message goes to, which scope a down topic's messages belong to. Immutable
 * after construction (the framings themselves are not).
 */
final class MqttScopeTopics {
    private final String firstScope;
    private final Map<String, String> upTopics = new LinkedHashMap<>();
    private final Map<String, String> scopeOfDownTopic = new HashMap<>();
    private final Map<String, MessageFraming> framings = new HashMap<>();

    /**
     * @param firstFraming the framing of the first scope's session
     * @param moreFraming makes the framing of each other scope's session
     */
    MqttScopeTopics(MqttTopics topics, Endpoint endpoint, MessageFraming firstFraming, Supplier<MessageFraming> moreFraming) {
        requireNonNull(topics, "topics is null");
        this.firstScope = endpoint.scope();
        for (String scope : endpoint.scopes()) {
            upTopics.put(scope, topics.up(scope, endpoint.deviceId()));
            scopeOfDownTopic.put(topics.down(scope, endpoint.deviceId()), scope);
            framings.put(scope, scope.equals(firstScope) ? firstFraming : moreFraming.get());
        }
    }

    /**
     * The scope whose session {@code message} belongs to: a HELLO names it, another message carries its tag, an
     * untagged one is the first scope's.
     */
    String scopeOf(Message message) {
        return message instanceof Scoped scoped ? scoped.scope() : message instanceof Hello hello ? hello.scope() : firstScope;
    }

    /**
     * The up topic of {@code scope}; a HELLO of a scope the device was not started with goes up the first scope's topic,
     * where the server refuses it; anything else of such a scope is not sent (null).
     */
    @Nullable String upTopic(String scope, Message message) {
        String topic = upTopics.get(scope);
        return topic != null || !(message instanceof Hello) ? topic : upTopics.get(firstScope);
    }

    MessageFraming framing(String scope) {
        return framings.getOrDefault(scope, framings.get(firstScope));
    }

    Collection<MessageFraming> framings() {
        return framings.values();
    }

    Collection<String> upTopics() {
        return upTopics.values();
    }

    List<String> downTopics() {
        return List.copyOf(scopeOfDownTopic.keySet());
    }

    /** The scope of a down topic, or null when it is none of the device's. */
    @Nullable String scopeOfDownTopic(String topic) {
        return scopeOfDownTopic.get(topic);
    }

    /**
     * A message that came down {@code scope}'s topic, tagged with it when the device syncs several scopes: the topic
     * names the scope whether or not the server tagged the message. (Each scope's topics are a virtual connection of
     * their own, so the server speaks untagged on whichever scope's topics it heard a first HELLO; the tag tells the
     * device which scope that was.) A device of one scope gets its messages as they are.
     */
    Message tagged(String scope, Message message) {
        return upTopics.size() == 1 ? message : Scoped.tag(scope, message);
    }
}
