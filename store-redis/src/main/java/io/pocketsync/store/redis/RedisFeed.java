package io.pocketsync.store.redis;

import io.pocketsync.api.Identifiers;
import io.pocketsync.api.model.RowState;
import io.pocketsync.api.model.Scope;
import io.pocketsync.api.store.CommittedBatch;
import io.pocketsync.server.engine.store.StoreJson;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The feed message the write script publishes: {@code <head before>|<event>}, then one line
 * {@code \n<stored value>} per row the batch wrote. A change that left its row in the state written is named
 * in the event by that row's line ({@link StoreJson.StoredStates}) instead of carrying its image a second
 * time, in the script's arguments and in the message; a row changed twice in one batch has its earlier image
 * inline. Events and stored values are JSON, which never holds a raw line break. A batch is published only
 * when it applied something, so a message always carries at least one row line.
 */
final class RedisFeed {
    private RedisFeed() {}

    /** The rows a batch writes, in the script's order: what an event may name. Not thread-safe. */
    static final class Written implements StoreJson.StoredStates {
        private final List<RowState> states;
        private final Map<Map<String, Object>, Integer> byImage;

        Written(int rows) {
            this.states = new ArrayList<>(rows);
            this.byImage = new IdentityHashMap<>(rows * 2);
        }

        void add(RowState state) {
            byImage.put(state.row(), states.size());
            states.add(state);
        }

        @Override
        public int indexOf(Map<String, Object> row) {
            return byImage.getOrDefault(row, -1);
        }

        @Override
        public RowState state(int index) {
            return states.get(index);
        }
    }

    /**
     * @throws IllegalArgumentException for a message of any other form (the feed dispatcher reports a gap, and
     *         sessions catch up by cursor)
     */
    static CommittedBatch read(String message) {
        int bar = message.indexOf('|');
        int end = bar < 0 ? -1 : message.indexOf('\n', bar);
        if (end < 0) {
            throw new IllegalArgumentException("not a PocketSync feed message: no head or no written rows");
        }
        long head = Long.parseLong(message.substring(0, bar));
        String[] stored = message.substring(end + 1).split("\n", -1);
        return StoreJson.readFeed(head, message.substring(bar + 1, end), index -> RedisServerStore.parseRow(stored[index]));
    }

    /** A session claim heard on the feed ({@link io.pocketsync.api.store.ServerStore#claimSession}). */
    record Claim(Scope scope, String deviceId, String claim) {}

    private static final String CLAIM = "claim|";

    /** The feed message of a session claim: {@code claim|<scope>|<device>|<claim>} (ids never hold {@code |}). */
    static String claimMessage(Scope scope, String deviceId, String claim) {
        return CLAIM + scope.name() + "|" + deviceId + "|" + claim;
    }

    /** The claim a feed message carries, or null when it is a batch (those start with a number). */
    static @Nullable Claim claim(String message) {
        if (!message.startsWith(CLAIM)) {
            return null;
        }
        String[] parts = message.substring(CLAIM.length()).split("\\|", 3);
        if (parts.length != 3 || !Identifiers.isScopeOrDeviceId(parts[0]) || !Identifiers.isScopeOrDeviceId(parts[1])) {
            return null;
        }
        return new Claim(Scope.of(parts[0]), parts[1], parts[2]);
    }
}
