package io.pocketsync.store.redis;

import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.pocketsync.server.engine.store.ChangeFeedDispatcher;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns pub/sub messages into feed events; a re-subscription after a reconnect means events may be lost. */
final class RedisFeedSubscriber extends RedisPubSubAdapter<String, String> {
    // logged under the store's name, as before this was split out of it
    private static final Logger LOG = LoggerFactory.getLogger(RedisServerStore.class);

    private final ChangeFeedDispatcher feed;
    private final AtomicBoolean subscribedOnce = new AtomicBoolean();

    RedisFeedSubscriber(ChangeFeedDispatcher feed) {
        this.feed = feed;
    }

    @Override
    public void message(String pattern, String channel, String message) {
        RedisFeed.Claim claim = RedisFeed.claim(message);
        if (claim != null) {
            feed.sessionClaimed(claim.scope(), claim.deviceId(), claim.claim());
            return;
        }
        // Decoded on the feed thread and only when someone listens (the dispatcher turns a failure into a gap).
        feed.publish(() -> RedisFeed.read(message));
    }

    @Override
    public void psubscribed(String pattern, long count) {
        if (!subscribedOnce.compareAndSet(false, true)) {
            LOG.info("change feed re-subscribed after a reconnect; sessions pull to cover the gap");
            feed.gap();
        }
    }
}
