package io.pocketsync.transport.mqtt;

import static java.util.Objects.requireNonNull;

import io.pocketsync.api.ErrorCode;
import io.pocketsync.api.Identifiers;
import io.pocketsync.api.PocketSyncException;
import java.util.Optional;

/**
 * The topic layout: {@code {root}/{scope}/{device}/up} (device → server) and {@code .../down}
 * (server → device), root {@code pocketsync/v1} by default. Parsing is strict: a topic whose scope or
 * device segment is not a valid id (see {@link Identifiers#isScopeOrDeviceId}) is not ours.
 *
 * <p>Immutable and thread-safe.
 */
final class MqttTopics {
    /** The scope and device a topic names. */
    record Address(String scope, String device) {}

    private final String root;

    MqttTopics(String root) {
        requireNonNull(root, "root is null");
        if (root.isEmpty() || root.startsWith("/") || root.endsWith("/") || root.contains("+") || root.contains("#")
                || root.startsWith("$")) {
            throw new PocketSyncException(ErrorCode.CONFIG_INVALID,
                    "topic-root must be a topic without wildcards and without leading or trailing '/': " + root);
        }
        this.root = root;
    }

    String root() {
        return root;
    }

    String up(String scope, String device) {
        return root + "/" + Identifiers.requireScopeOrDeviceId(scope, "scope") + "/"
                + Identifiers.requireScopeOrDeviceId(device, "device") + "/up";
    }

    String down(String scope, String device) {
        return root + "/" + Identifiers.requireScopeOrDeviceId(scope, "scope") + "/"
                + Identifiers.requireScopeOrDeviceId(device, "device") + "/down";
    }

    /** The filter the server subscribes to. */
    String allUp() {
        return root + "/+/+/up";
    }

    /** The address of an up topic, or empty when the topic is not a valid up topic under this root. */
    Optional<Address> parseUp(String topic) {
        if (topic == null || !topic.startsWith(root + "/")) {
            return Optional.empty();
        }
        String[] parts = topic.substring(root.length() + 1).split("/", -1);
        if (parts.length != 3 || !parts[2].equals("up") || !Identifiers.isScopeOrDeviceId(parts[0])
                || !Identifiers.isScopeOrDeviceId(parts[1])) {
            return Optional.empty();
        }
        return Optional.of(new Address(parts[0], parts[1]));
    }
}
