package io.pocketsync.store.redis;

import io.pocketsync.api.store.CommittedBatch;
import io.pocketsync.core.store.StoreJson;

/**
 * Reads a feed message as the write script publishes it: {@code <head before>|<event>} and then one line
 * {@code \n<stored value>} per row the batch wrote. The event ({@link StoreJson#readFeed}) names the image of
 * a change whose row ended the batch in that state by the row's index among those lines, instead of carrying
 * the image twice; other images (a row changed twice in one batch) are inline. Stored values and events are
 * JSON, which never holds a raw line break.
 *
 * <p>A node of the previous version publishes the event alone, with every image inline: it reads the same way.
 * A node of the previous version cannot read this format; its listeners get a gap and sessions pull by cursor.
 */
final class RedisFeed {
    private RedisFeed() {}

    static CommittedBatch read(String message) {
        int bar = message.indexOf('|');
        int end = message.indexOf('\n', bar);
        long head = Long.parseLong(message.substring(0, bar));
        if (end < 0) {
            return StoreJson.readFeed(head, message.substring(bar + 1));
        }
        String[] stored = message.substring(end + 1).split("\n", -1);
        return StoreJson.readFeed(head, message.substring(bar + 1, end),
                index -> RedisServerStore.parseRow(stored[index]).row());
    }
}
